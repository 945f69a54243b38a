using System.Diagnostics.CodeAnalysis;

namespace Failover.Antelope;

/// <summary>
/// An Antelope account/action/permission name: up to 13 characters of <c>.12345abcdefghijklmnopqrstuvwxyz</c>
/// packed into 64 bits (protocol.md §4.3). Parsing is strict like nodeos: nothing is ever truncated or lower-cased,
/// and only the normalised spelling (no trailing dots) is accepted.
/// </summary>
public readonly record struct Name : IComparable<Name>
{
    private const string Charmap = ".12345abcdefghijklmnopqrstuvwxyz";
    private const int MaxLength = 13;

    private Name(ulong value) => Value = value;

    public ulong Value { get; }

    public static Name FromValue(ulong value) => new(value);

    public static Name Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var name, out var error) ? name : throw new FormatException(error);
    }

    public static bool TryParse([NotNullWhen(true)] string? text, out Name name, [NotNullWhen(false)] out string? error)
    {
        name = default;
        error = Validate(text);
        if (error is not null)
        {
            return false;
        }

        name = new Name(Encode(text!));
        if (name.ToString() != text)
        {
            name = default;
            error = $"Name '{text}' is not normalised: trailing dots are not allowed (it would read back as '{new Name(Encode(text!))}').";
            return false;
        }

        return true;
    }

    public int CompareTo(Name other) => Value.CompareTo(other.Value);

    public static bool operator <(Name left, Name right) => left.Value < right.Value;

    public static bool operator >(Name left, Name right) => left.Value > right.Value;

    public static bool operator <=(Name left, Name right) => left.Value <= right.Value;

    public static bool operator >=(Name left, Name right) => left.Value >= right.Value;

    public override string ToString()
    {
        Span<char> chars = stackalloc char[MaxLength];
        var rest = Value;
        for (var i = 0; i < MaxLength; i++)
        {
            var last = i == 0;
            chars[MaxLength - 1 - i] = Charmap[(int)(rest & (last ? 0x0fUL : 0x1fUL))];
            rest >>= last ? 4 : 5;
        }

        return new string(chars).TrimEnd('.');
    }

    private static string? Validate(string? text)
    {
        if (text is null)
        {
            return "Name is missing.";
        }

        if (text.Length > MaxLength)
        {
            return $"Name '{Shorten(text)}' is {text.Length} characters long; names have at most 13.";
        }

        for (var i = 0; i < text.Length; i++)
        {
            var symbol = Symbol(text[i]);
            if (symbol < 0)
            {
                var hint = char.IsAsciiLetterUpper(text[i]) ? " (names are lower case)" : string.Empty;
                return $"Name '{text}' has the character '{text[i]}' at position {i + 1}; only . 1-5 a-z are allowed{hint}.";
            }

            if (i == MaxLength - 1 && symbol > 0x0f)
            {
                return $"Name '{text}' has '{text[i]}' as its 13th character; the 13th character must be one of . 1-5 a-j.";
            }
        }

        return null;
    }

    private static ulong Encode(string text)
    {
        ulong value = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var symbol = (ulong)Symbol(text[i]);
            value |= i < MaxLength - 1 ? (symbol & 0x1f) << (64 - (5 * (i + 1))) : symbol & 0x0f;
        }

        return value;
    }

    private static int Symbol(char c) => c switch
    {
        '.' => 0,
        >= '1' and <= '5' => c - '1' + 1,
        >= 'a' and <= 'z' => c - 'a' + 6,
        _ => -1,
    };

    private static string Shorten(string text) => text.Length <= 20 ? text : string.Concat(text.AsSpan(0, 20), "…");
}
