namespace Failover.Antelope.Keys;

/// <summary>Base58 with the Bitcoin alphabet; leading '1's stand for leading zero bytes.</summary>
internal static class Base58
{
    private const string Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    public static string Encode(ReadOnlySpan<byte> data)
    {
        var zeros = 0;
        while (zeros < data.Length && data[zeros] == 0)
        {
            zeros++;
        }

        // Repeated division of the big-endian number by 58, digits collected least significant first.
        var digits = new List<byte>(data.Length * 138 / 100 + 1);
        for (var i = zeros; i < data.Length; i++)
        {
            var carry = (int)data[i];
            for (var j = 0; j < digits.Count; j++)
            {
                carry += digits[j] << 8;
                digits[j] = (byte)(carry % 58);
                carry /= 58;
            }

            while (carry > 0)
            {
                digits.Add((byte)(carry % 58));
                carry /= 58;
            }
        }

        var chars = new char[zeros + digits.Count];
        chars.AsSpan(0, zeros).Fill('1');
        for (var i = 0; i < digits.Count; i++)
        {
            chars[zeros + i] = Alphabet[digits[digits.Count - 1 - i]];
        }

        return new string(chars);
    }

    /// <summary>Decodes, or returns the 0-based position of the first character outside the alphabet.</summary>
    public static bool TryDecode(ReadOnlySpan<char> text, out byte[] data, out int badPosition)
    {
        data = [];
        badPosition = -1;
        var zeros = 0;
        while (zeros < text.Length && text[zeros] == '1')
        {
            zeros++;
        }

        var bytes = new List<byte>(text.Length);
        for (var i = zeros; i < text.Length; i++)
        {
            var digit = Alphabet.IndexOf(text[i], StringComparison.Ordinal);
            if (digit < 0)
            {
                badPosition = i;
                return false;
            }

            var carry = digit;
            for (var j = 0; j < bytes.Count; j++)
            {
                carry += bytes[j] * 58;
                bytes[j] = (byte)(carry & 0xff);
                carry >>= 8;
            }

            while (carry > 0)
            {
                bytes.Add((byte)(carry & 0xff));
                carry >>= 8;
            }
        }

        data = new byte[zeros + bytes.Count];
        for (var i = 0; i < bytes.Count; i++)
        {
            data[zeros + i] = bytes[bytes.Count - 1 - i];
        }

        return true;
    }
}
