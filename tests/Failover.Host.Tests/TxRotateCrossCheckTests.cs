using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json.Nodes;
using Failover.Antelope;
using Failover.Testing;

namespace Failover.Host.Tests;

/// <summary>
/// The "done when": for inputs nobody has seen before, <c>failover tx rotate</c> must produce exactly what eosjs
/// 22.1.0 and @wharfkit/antelope 1.2.0 produce. Each case draws fresh (seeded) inputs, runs the command in-process, and
/// has both JS libraries build the same transaction from the decoded inputs, check our signatures, and sign with the
/// same throwaway keys (their signatures must equal ours byte for byte).
/// </summary>
public sealed class TxRotateCrossCheckTests : IDisposable
{
    private const string NameLetters = "abcdefghijklmnopqrstuvwxyz12345";
    private readonly KeyFileDirectory _files = new();

    public enum Shape
    {
        RegProducer,
        RegProducerLegacyKeysLongUtf8UrlTwoSigners,
        RegProducer2WithTwoKeys,
        RegProducer2WithTwoKeysAndActFinKey,
        RegProducerWithActFinKeyLegacyKeys,
        RegProducer2WithThreeKeysAndActFinKeyUtf8Url,
    }

    [Theory]
    [InlineData(Shape.RegProducer, 1)]
    [InlineData(Shape.RegProducerLegacyKeysLongUtf8UrlTwoSigners, 2)]
    [InlineData(Shape.RegProducer2WithTwoKeys, 3)]
    [InlineData(Shape.RegProducer2WithTwoKeysAndActFinKey, 4)]
    [InlineData(Shape.RegProducerWithActFinKeyLegacyKeys, 5)]
    [InlineData(Shape.RegProducer2WithThreeKeysAndActFinKeyUtf8Url, 6)]
    public async Task Rotate_matches_eosjs_and_wharfkit_for_fresh_inputs(Shape shape, int seed)
    {
        var random = new Random(20251125 + seed);
        var input = RotationInput.Draw(shape, random);

        var result = await CliRunner.RunAsync(input.Arguments(_files));

        Assert.True(result.ExitCode == 0, result.Error);
        var ours = JsonNode.Parse(result.Out)!;
        var signatures = ours["signatures"]!.AsArray().Select(s => (string)s!).ToList();
        var reference = await NodeReference.RunAsync("tx-check.mjs", new JsonObject
        {
            ["chain_id"] = input.ChainId,
            ["transaction"] = input.DecodedTransaction(),
            ["signatures"] = new JsonArray([.. signatures.Select(s => (JsonNode)s)]),
            ["signers"] = new JsonArray([.. input.Signers.Select(k => (JsonNode)k.PublicKey.ToString())]),
            ["private_keys"] = new JsonArray([.. input.Signers.Select(k => (JsonNode)k.ExportWif())]),
        });

        Assert.Equal(input.Signers.Count, signatures.Count);
        foreach (var library in new[] { "eosjs", "wharfkit" })
        {
            var theirs = reference[library]!;
            Assert.Equal((string?)theirs["packed_trx"], (string?)ours["packed_trx"]);
            Assert.Equal((string?)theirs["transaction_id"], (string?)ours["transaction_id"]);
            Assert.Equal((string?)theirs["digest"], (string?)ours["digest"]);
            Assert.Equal(
                theirs["action_data"]!.AsArray().Select(d => (string?)d),
                ours["transaction"]!["actions"]!.AsArray().Select(a => (string?)a!["data"]));
            Assert.All(theirs["verified"]!.AsArray(), v => Assert.True((bool)v!, $"{library} rejects a signature"));
            Assert.Equal(input.Signers.Select(k => k.PublicKey.ToString()), theirs["recovered"]!.AsArray().Select(k => (string?)k));
            Assert.Equal(signatures, theirs["signatures"]!.AsArray().Select(s => (string?)s));
        }

        Assert.Equal((string?)reference["node_sha256_of_eosjs_packed_trx"], (string?)ours["transaction_id"]);
        Assert.Equal((string?)ours["packed_trx"], (string?)ours["push_body"]!["packed_trx"]);
    }

    public void Dispose() => _files.Dispose();

    /// <summary>One set of rotation inputs, kept in the text form an operator would type.</summary>
    private sealed record RotationInput(
        string ChainId,
        string RefBlockId,
        string Expiration,
        string Producer,
        string Permission,
        string NewKey,
        string Url,
        ushort Location,
        uint? Threshold,
        IReadOnlyList<(string Key, ushort Weight)> AuthorityKeys,
        string? FinalizerKey,
        IReadOnlyList<PrivateKey> Signers)
    {
        public static RotationInput Draw(Shape shape, Random random)
        {
            var legacy = shape is Shape.RegProducerLegacyKeysLongUtf8UrlTwoSigners or Shape.RegProducerWithActFinKeyLegacyKeys;
            string KeyText(PublicKey key) => legacy || random.Next(2) == 0 ? key.ToLegacyString() : key.ToString();
            var authority = shape switch
            {
                Shape.RegProducer2WithTwoKeys or Shape.RegProducer2WithTwoKeysAndActFinKey => 2,
                Shape.RegProducer2WithThreeKeysAndActFinKeyUtf8Url => 3,
                _ => 0,
            };
            var keys = Enumerable.Range(0, Math.Max(1, authority)).Select(_ => NewPrivateKey(random).PublicKey).ToList();
            var weights = keys.Select(_ => (ushort)random.Next(1, 5)).ToList();
            var url = shape switch
            {
                Shape.RegProducerLegacyKeysLongUtf8UrlTwoSigners => "https://bp.example/" + string.Concat(Enumerable.Range(0, 80).Select(_ => Pick(random, "ñandú/漢字/€😀/abc"))),
                Shape.RegProducer2WithThreeKeysAndActFinKeyUtf8Url => "https://ñandú.example/bp.json",
                _ => $"https://{RandomName(random, 8)}.example/bp.json",
            };
            var expiration = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(random.Next(0, 400_000_000));
            return new RotationInput(
                Convert.ToHexStringLower(RandomBytes(random, 32)),
                Convert.ToHexStringLower(RandomBytes(random, 32)),
                expiration.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture),
                RandomName(random, 12),
                RandomName(random, random.Next(1, 13)),
                KeyText(keys[0]),
                url,
                (ushort)random.Next(0, 65536),
                authority == 0 ? null : (uint)random.Next(1, weights[0] + 1), // the new key alone must meet the threshold
                authority == 0 ? [] : [.. keys.Select((k, i) => (KeyText(k), weights[i]))],
                shape is Shape.RegProducer2WithTwoKeysAndActFinKey or Shape.RegProducerWithActFinKeyLegacyKeys or Shape.RegProducer2WithThreeKeysAndActFinKeyUtf8Url
                    ? Failover.Simulator.SeedDerivation.FinalizerKey("cross-check", random.Next().ToString(System.Globalization.CultureInfo.InvariantCulture))
                    : null,
                [.. Enumerable.Range(0, shape == Shape.RegProducerLegacyKeysLongUtf8UrlTwoSigners ? 2 : 1).Select(_ => NewPrivateKey(random))]);
        }

        public string[] Arguments(KeyFileDirectory files)
        {
            List<string> args =
            [
                "tx", "rotate", "--chain-id", ChainId, "--ref-block-id", RefBlockId, "--expiration", Expiration,
                "--producer", Producer, "--permission", Permission, "--new-key", NewKey, "--url", Url,
                "--location", Location.ToString(CultureInfo.InvariantCulture),
            ];
            if (Threshold is { } threshold)
            {
                args.AddRange(["--authority-threshold", threshold.ToString(CultureInfo.InvariantCulture)]);
                args.AddRange(AuthorityKeys.SelectMany(k => new[] { "--authority-key", $"{k.Key}:{k.Weight}" }));
            }

            if (FinalizerKey is not null)
            {
                args.AddRange(["--finalizer-key", FinalizerKey]);
            }

            for (var i = 0; i < Signers.Count; i++)
            {
                args.AddRange(["--key-file", files.Write(i % 2 == 0 ? Signers[i].ExportWif() : Signers[i].ExportPvtK1())]);
            }

            return [.. args];
        }

        /// <summary>The transaction as nodeos JSON with decoded action data, written from the inputs alone.</summary>
        public JsonObject DecodedTransaction()
        {
            var id = Convert.FromHexString(RefBlockId);
            var authorization = new JsonArray(new JsonObject { ["actor"] = Producer, ["permission"] = Permission });
            JsonObject registration = Threshold is null
                ? new() { ["producer"] = Producer, ["producer_key"] = NewKey, ["url"] = Url, ["location"] = Location }
                : new()
                {
                    ["producer"] = Producer,
                    ["producer_authority"] = new JsonArray(
                        "block_signing_authority_v0",
                        new JsonObject
                        {
                            ["threshold"] = Threshold,
                            ["keys"] = new JsonArray([.. AuthorityKeys.Select(k => (JsonNode)new JsonObject { ["key"] = k.Key, ["weight"] = k.Weight })]),
                        }),
                    ["url"] = Url,
                    ["location"] = Location,
                };
            var actions = new JsonArray(Action(Threshold is null ? "regproducer" : "regproducer2", authorization, registration));
            if (FinalizerKey is not null)
            {
                actions.Add(Action("actfinkey", authorization.DeepClone(), new JsonObject { ["finalizer_name"] = Producer, ["finalizer_key"] = FinalizerKey }));
            }

            return new JsonObject
            {
                ["expiration"] = Expiration,
                ["ref_block_num"] = BinaryPrimitives.ReadUInt16BigEndian(id.AsSpan(2, 2)),
                ["ref_block_prefix"] = BinaryPrimitives.ReadUInt32LittleEndian(id.AsSpan(8, 4)),
                ["max_net_usage_words"] = 0,
                ["max_cpu_usage_ms"] = 0,
                ["delay_sec"] = 0,
                ["context_free_actions"] = new JsonArray(),
                ["actions"] = actions,
                ["transaction_extensions"] = new JsonArray(),
            };
        }

        private static JsonObject Action(string name, JsonNode authorization, JsonObject data) => new()
        {
            ["account"] = "eosio",
            ["name"] = name,
            ["authorization"] = authorization,
            ["data"] = data,
        };

        private static PrivateKey NewPrivateKey(Random random) =>
            PrivateKey.FromSecret(System.Security.Cryptography.SHA256.HashData(RandomBytes(random, 32)));

        private static byte[] RandomBytes(Random random, int count)
        {
            var bytes = new byte[count];
            random.NextBytes(bytes);
            return bytes;
        }

        private static string RandomName(Random random, int length) =>
            string.Concat(Enumerable.Range(0, length).Select(_ => NameLetters[random.Next(NameLetters.Length)]));

        private static string Pick(Random random, string choices)
        {
            var elements = new List<string>();
            var enumerator = StringInfo.GetTextElementEnumerator(choices);
            while (enumerator.MoveNext())
            {
                elements.Add(enumerator.GetTextElement());
            }

            return elements[random.Next(elements.Count)];
        }
    }
}
