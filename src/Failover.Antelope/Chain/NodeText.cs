using System.Text;

namespace Failover.Antelope.Chain;

/// <summary>
/// Text a node wrote — an error's name, message and details, the start of a body it could not parse — as it may enter
/// an exception's message and from there a log line or an event: one line, at most <see cref="MaxLength"/> characters.
/// A broken or hostile node decides what it says, not how much of it the service keeps.
/// </summary>
public static class NodeText
{
    public const int MaxLength = 200;

    public static string Bounded(string? text, int maxLength = MaxLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        var builder = new StringBuilder(Math.Min(text.Length, maxLength + 1));
        foreach (var c in text)
        {
            if (builder.Length == maxLength)
            {
                builder.Append('…');
                break;
            }

            builder.Append(char.IsControl(c) ? ' ' : c);
        }

        return builder.ToString();
    }
}
