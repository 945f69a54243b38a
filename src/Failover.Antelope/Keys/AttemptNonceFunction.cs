using System.Security.Cryptography;
using NBitcoin.Secp256k1;
using HMACSHA256 = System.Security.Cryptography.HMACSHA256;

namespace Failover.Antelope.Keys;

/// <summary>
/// The RFC 6979 HMAC-SHA256 nonce that elliptic (inside eosjs and @wharfkit/antelope) derives when called with
/// <c>pers: [attempt]</c>: the DRBG is seeded with <c>key ‖ digest ‖ attempt</c>. Built on the framework's HMAC-SHA256;
/// <paramref name="attempt"/> is the canonical-signature retry number, and <c>counter</c> (libsecp256k1's own retry for
/// an out-of-range nonce) draws the next DRBG output, as elliptic does.
/// </summary>
internal sealed class AttemptNonceFunction(byte attempt) : INonceFunction
{
    public bool TryGetNonce(Span<byte> nonce32, ReadOnlySpan<byte> msg32, ReadOnlySpan<byte> key32, ReadOnlySpan<byte> algo16, uint counter)
    {
        Span<byte> k = stackalloc byte[32];
        Span<byte> v = stackalloc byte[32];
        k.Clear();
        v.Fill(0x01);
        byte[] seed = [.. key32, .. msg32, attempt];
        Update(k, v, seed);
        for (var i = 0u; i <= counter; i++)
        {
            if (i > 0)
            {
                Update(k, v, null);
            }

            HMACSHA256.HashData(k, v, v);
        }

        v.CopyTo(nonce32);
        CryptographicOperations.ZeroMemory(seed);
        CryptographicOperations.ZeroMemory(k);
        return true;
    }

    private static void Update(Span<byte> k, Span<byte> v, byte[]? seed)
    {
        Step(k, v, 0x00, seed);
        if (seed is not null)
        {
            Step(k, v, 0x01, seed);
        }
    }

    private static void Step(Span<byte> k, Span<byte> v, byte separator, byte[]? seed)
    {
        byte[] input = [.. v, separator, .. seed ?? []];
        HMACSHA256.HashData(k, input, k);
        HMACSHA256.HashData(k, v, v);
    }
}
