using System.Diagnostics.CodeAnalysis;
using Failover.Antelope;

namespace Failover.Host.Commands;

/// <summary>Reads one private key from a key file (or stdin); problems are described without the key text.</summary>
internal static class KeyFiles
{
    public static bool TryRead(
        string? path, TextReader stdin, [NotNullWhen(true)] out PrivateKey? key, [NotNullWhen(false)] out string? problem)
    {
        key = null;
        var source = path is null ? "stdin" : $"key file '{path}'";
        if (path is not null && File.Exists(path) && Service.Configuration.FailoverConfigurationValidator.KeyFileProblem(path) is { } fileProblem)
        {
            // As the service refuses it: a key others can read is not a key only its owner holds.
            problem = $"Refused key file: {fileProblem}";
            return false;
        }

        string text;
        try
        {
            text = path is null ? stdin.ReadToEnd() : File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            problem = $"Cannot read {source}: {e.Message}";
            return false;
        }

        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length != 1)
        {
            problem = words.Length == 0
                ? $"{Capitalised(source)} is empty; expected one private key (WIF or PVT_K1_…)."
                : $"{Capitalised(source)} holds {words.Length} words; expected exactly one private key (WIF or PVT_K1_…).";
            return false;
        }

        if (!PrivateKey.TryParse(words[0], out key, out var error))
        {
            problem = $"Invalid private key in {source}: {error}";
            return false;
        }

        problem = null;
        return true;
    }

    private static string Capitalised(string text) => char.ToUpperInvariant(text[0]) + text[1..];
}
