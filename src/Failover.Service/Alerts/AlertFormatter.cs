using System.Globalization;
using System.Text.Json;
using Failover.Service.Configuration;

namespace Failover.Service.Alerts;

/// <summary>Writes an alert as a webhook body: generic JSON, a Slack incoming-webhook message, or a Telegram sendMessage call.</summary>
public static class AlertFormatter
{
    public static byte[] Body(Alert alert, WebhookSettings webhook)
    {
        ArgumentNullException.ThrowIfNull(alert);
        ArgumentNullException.ThrowIfNull(webhook);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            switch (webhook.Format)
            {
                case AlertFormat.Slack:
                    json.WriteString("text", $"{Icon(alert)} *{Slack(alert.Title)}*\n{Slack(alert.Text)}\n_alert {alert.Id} · {Time(alert.At)}_");
                    break;
                case AlertFormat.Telegram:
                    json.WriteString("chat_id", webhook.ChatId);
                    json.WriteString("text", $"{Icon(alert)} {alert.Title}\n{alert.Text}\nalert {alert.Id} · {Time(alert.At)}");
                    json.WriteBoolean("disable_web_page_preview", true);
                    break;
                default:
                    json.WriteString("id", alert.Id);
                    json.WriteString("kind", alert.Kind);
                    json.WriteString("severity", alert.Severity);
                    json.WriteString("producer", alert.Producer);
                    json.WriteString("title", alert.Title);
                    json.WriteString("text", alert.Text);
                    json.WriteString("at", alert.At);
                    json.WriteNumber("position", alert.Position);
                    json.WriteString("event_type", alert.EventType);
                    json.WriteString("event_id", alert.EventId);
                    json.WriteStartObject("details");
                    foreach (var (key, value) in alert.Details)
                    {
                        json.WriteString(key, value);
                    }

                    json.WriteEndObject();
                    break;
            }

            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static string Icon(Alert alert) => alert.Severity switch
    {
        "critical" => "🔴",
        "warning" => "🟠",
        _ => "🟢",
    };

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Slack's mrkdwn needs only &amp;, &lt; and &gt; escaped.</summary>
    private static string Slack(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
