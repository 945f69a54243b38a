using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Failover.Antelope;
using Org.BouncyCastle.Crypto.Digests;

namespace Failover.Simulator;

/// <summary>
/// Every secret and random choice of a simulation derives from its seed and a label: sha256(seed ‖ 0x00 ‖ label).
/// The same seed therefore gives the same keys, chain id and chain.
/// </summary>
public static class SeedDerivation
{
    public static byte[] Derive(string seed, string label)
    {
        ArgumentNullException.ThrowIfNull(seed);
        ArgumentNullException.ThrowIfNull(label);
        var bytes = Encoding.UTF8.GetBytes(seed + "\0" + label);
        return SHA256.HashData(bytes);
    }

    public static PrivateKey PrivateKey(string seed, string label) => Antelope.PrivateKey.FromSecret(Derive(seed, label));

    public static Checksum256 ChainId(string seed) => Checksum256.FromBytes(Derive(seed, "chain-id"));

    /// <summary>
    /// A string in the format of a Spring BLS public key (<c>PUB_BLS_</c> + base64url of 96 bytes and a 4-byte
    /// RIPEMD-160 check, protocol.md §3.5). The bytes are pseudo-random, not a curve point: the simulator only
    /// compares finalizer keys, it never verifies BLS signatures.
    /// </summary>
    public static string FinalizerKey(string seed, string label)
    {
        var payload = new byte[96];
        for (var block = 0; block < 3; block++)
        {
            Derive(seed, $"{label}#{block}").CopyTo(payload, block * 32);
        }

        var digest = new RipeMD160Digest();
        digest.BlockUpdate(payload, 0, payload.Length);
        var check = new byte[digest.GetDigestSize()];
        digest.DoFinal(check, 0);
        return "PUB_BLS_" + Base64Url.EncodeToString([.. payload, .. check.AsSpan(0, 4)]);
    }
}
