using System.Security.Cryptography;
using System.Text;

namespace Failover.EventStore;

/// <summary>
/// Event ids derived from what was observed, so that observing the same thing again (after a restart, or by another
/// observer) yields the same id: a name-based UUID, version 5 (SHA-1; RFC 9562 §5.5, formerly RFC 4122 §4.3), in the
/// namespace <see cref="Namespace"/>.
/// </summary>
public static class DeterministicEventId
{
    /// <summary>Our namespace: itself the version 5 UUID of the URL <c>urn:failover:event-id</c> in RFC 9562's URL namespace.</summary>
    public static readonly Guid Namespace = new("149ba2d3-d8bf-5761-84c5-aeeead664e18");

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The id named by <paramref name="name"/>: the UUID of its UTF-8 bytes in <see cref="Namespace"/>.</summary>
    /// <exception cref="ArgumentException">The name holds a NUL character (it separates parts) or an unpaired surrogate.</exception>
    public static Guid Create(string name) => Create([name]);

    /// <summary>
    /// The id named by several parts, e.g. <c>Create(chainId, "block", blockId)</c>. The parts are joined with NUL, which
    /// no part may contain, so different lists of parts never name the same id: ("ab", "c") and ("a", "bc") differ. One
    /// part names the same id as <see cref="Create(string)"/>.
    /// </summary>
    /// <exception cref="ArgumentException">No parts, or a part holds a NUL character or an unpaired surrogate.</exception>
    public static Guid Create(params string[] parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Length == 0)
        {
            throw new ArgumentException("A deterministic event id needs at least one name part.", nameof(parts));
        }

        foreach (var part in parts)
        {
            ArgumentNullException.ThrowIfNull(part, nameof(parts));
            if (part.Contains('\0', StringComparison.Ordinal))
            {
                throw new ArgumentException("A name part must not contain NUL: it separates the parts.", nameof(parts));
            }
        }

        byte[] name;
        try
        {
            name = StrictUtf8.GetBytes(string.Join('\0', parts));
        }
        catch (EncoderFallbackException e)
        {
            // Replacing an unpaired surrogate with U+FFFD would make two different names collide.
            throw new ArgumentException("A name part holds an unpaired surrogate, which has no UTF-8 form.", nameof(parts), e);
        }

        return NameBased(Namespace, name);
    }

    /// <summary>The version 5 UUID of <paramref name="name"/> in <paramref name="namespaceId"/> (RFC 9562 §5.5).</summary>
    internal static Guid NameBased(Guid namespaceId, ReadOnlySpan<byte> name)
    {
        var input = new byte[16 + name.Length];
        namespaceId.TryWriteBytes(input, bigEndian: true, out _);
        name.CopyTo(input.AsSpan(16));
#pragma warning disable CA5350 // SHA-1 is what version 5 is defined with; it names, it does not protect.
        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
        SHA1.HashData(input, hash);
#pragma warning restore CA5350
        var uuid = hash[..16];
        uuid[6] = (byte)((uuid[6] & 0x0F) | 0x50); // version 5
        uuid[8] = (byte)((uuid[8] & 0x3F) | 0x80); // variant 10 (RFC 9562)
        return new Guid(uuid, bigEndian: true);
    }
}
