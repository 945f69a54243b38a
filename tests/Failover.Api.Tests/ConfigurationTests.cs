using Failover.Service.Configuration;

namespace Failover.Api.Tests;

/// <summary>The settings this issue adds: ProtectReads needs a token; webhooks are checked without ever echoing their URL.</summary>
public sealed class ConfigurationTests
{
    private static readonly FailoverConfigurationValidator Validator = new();

    [Theory]
    [InlineData("true", null, true)]
    [InlineData("true", "a-token-of-16-chars-or-more", false)]
    [InlineData("false", null, false)]
    public void ProtectReads_true_requires_a_token(string protectReads, string? token, bool refused)
    {
        var config = new FailoverConfiguration { Api = new ApiConfiguration { ProtectReads = protectReads, Token = token } };

        var problems = Validator.Validate(config).Errors.Where(e => e.PropertyName == "Failover:Api:ProtectReads").Select(e => e.ErrorMessage).ToList();

        Assert.Equal(refused, problems.Count == 1);
        Assert.All(problems, p => Assert.Contains("no token is configured", p, StringComparison.Ordinal));
    }

    [Fact]
    public void Webhooks_are_checked_and_their_urls_never_repeated()
    {
        var config = new FailoverConfiguration
        {
            Alerts = new AlertsConfiguration
            {
                MaxAge = "soon",
                Webhooks =
                [
                    new WebhookConfiguration { Url = "ftp://hooks.example/T000/B000/xoxb-secret-part" },
                    new WebhookConfiguration { Url = "https://user:pw-secret@hooks.example/x", Format = "teams" },
                    new WebhookConfiguration { Url = "https://api.telegram.example/bot123:secret-bot-token/sendMessage", Format = "telegram" },
                    new WebhookConfiguration { Name = "ops", Url = "https://a.example/1" },
                    new WebhookConfiguration { Name = "ops", Url = "https://a.example/2" },
                ],
            },
        };

        var problems = Validator.Validate(config).Errors.Where(e => e.PropertyName.StartsWith("Failover:Alerts", StringComparison.Ordinal)).Select(e => e.ErrorMessage).ToList();

        Assert.Contains(problems, p => p.StartsWith("Failover:Alerts: MaxAge", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Failover:Alerts:Webhooks:0:Url must be an absolute http", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Failover:Alerts:Webhooks:1:Url must not carry credentials", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Failover:Alerts:Webhooks:1:Format must be json, slack or telegram", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Failover:Alerts:Webhooks:2:ChatId is required", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Failover:Alerts:Webhooks:4:Name 'ops' is used by another webhook", StringComparison.Ordinal));
        Assert.All(problems, p => Assert.DoesNotMatch("xoxb|pw-secret|bot123|a\\.example", p));
    }

    [Fact]
    public void Settings_never_print_the_token_or_a_webhook_url()
    {
        var api = new ApiSettings("the-api-token-0123456789", null, true);
        var webhook = new WebhookSettings("ops", new Uri("https://hooks.example/T0/B0/secret-path"), AlertFormat.Slack, null);

        Assert.DoesNotContain("the-api-token", api.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("secret-path", webhook.ToString(), StringComparison.Ordinal);
        Assert.Contains("ops", webhook.ToString(), StringComparison.Ordinal);
    }
}
