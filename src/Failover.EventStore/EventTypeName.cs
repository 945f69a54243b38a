using System.Text.RegularExpressions;

namespace Failover.EventStore;

/// <summary>Stable event type names: lower-case kebab words and a version suffix, e.g. <c>block-produced.v1</c>.</summary>
public static partial class EventTypeName
{
    public static bool IsValid(string? name) => name is not null && name.Length <= 200 && Pattern().IsMatch(name);

    public static void Validate(string? name)
    {
        if (!IsValid(name))
        {
            throw new ArgumentException(
                $"Event type name '{name}' is invalid: use lower-case kebab words and a version, e.g. 'block-produced.v1'.",
                nameof(name));
        }
    }

    [GeneratedRegex(@"^[a-z][a-z0-9]*(-[a-z0-9]+)*\.v[1-9][0-9]*$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}

/// <summary>Stream names: 1–500 characters of valid Unicode text without control characters.</summary>
public static class StreamName
{
    public const int MaxLength = 500;

    public static void Validate(string? stream)
    {
        var reason = stream switch
        {
            null or "" => "it is empty",
            { Length: > MaxLength } => $"it is longer than {MaxLength} characters",
            _ when stream.Any(char.IsControl) => "it contains a control character",
            _ when !IsWellFormedUtf16(stream) => "it contains an unpaired surrogate",
            _ => null,
        };
        if (reason is not null)
        {
            throw new ArgumentException($"Stream name is invalid: {reason}.", nameof(stream));
        }
    }

    private static bool IsWellFormedUtf16(string text)
    {
        var rest = text.AsSpan();
        while (!rest.IsEmpty)
        {
            if (System.Text.Rune.DecodeFromUtf16(rest, out _, out var used) != System.Buffers.OperationStatus.Done)
            {
                return false;
            }

            rest = rest[used..];
        }

        return true;
    }
}
