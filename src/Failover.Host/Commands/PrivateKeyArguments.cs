using System.Buffers;
using Failover.Antelope;

namespace Failover.Host.Commands;

/// <summary>
/// No command takes a private key as an argument: keys come from key files or standard input. An argument that is or
/// resembles one (a mistyped key is still nearly the key) is refused before parsing, so no error message can echo it.
/// </summary>
internal static class PrivateKeyArguments
{
    private const int WifLength = 51;
    private static readonly SearchValues<char> Base58 =
        SearchValues.Create("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz");

    /// <summary>The 1-based position of the first argument that looks like a private key, or null.</summary>
    public static int? FindFirst(IReadOnlyList<string> args)
    {
        for (var i = 0; i < args.Count; i++)
        {
            var value = args[i];
            var equals = value.StartsWith('-') ? value.IndexOf('=', StringComparison.Ordinal) : -1;
            if (LooksLikePrivateKey(equals >= 0 ? value[(equals + 1)..] : value))
            {
                return i + 1;
            }
        }

        return null;
    }

    public static string Refusal(int position) =>
        $"Argument {position} is a private key. Keys are read only from a key file (--key-file) or standard input: a "
        + "command line is visible in the process list and in shell history. Treat that key as exposed.";

    private static bool LooksLikePrivateKey(string text) =>
        text.StartsWith("PVT_", StringComparison.OrdinalIgnoreCase)
        || (text.Length == WifLength && text[0] == '5' && !text.AsSpan().ContainsAnyExcept(Base58))
        || PrivateKey.TryParse(text, out _, out _);
}
