using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Failover.Antelope.Chain;
using Failover.Antelope.Chain.Wire;
using Failover.Antelope.Scheduling;
using Failover.Antelope.SystemContract;
using Failover.Antelope.Tests.Chain;
using Failover.Testing;

namespace Failover.Antelope.Tests.Scheduling;

public sealed class ProducerScheduleTests
{
    private const string Charset = ".12345abcdefghijklmnopqrstuvwxyz"; // protocol.md §4.3, values 0..31

    /// <summary>The twelve reference keys of keys.json (eosjs/wharfkit vectors).</summary>
    private static readonly PublicKey[] Keys = [.. Enumerable.Range(1, 12).Select(i => PublicKey.Parse(ReferenceVectors.Key(i).Text("pub_k1")))];

    /// <summary>protocol.md §4.3 written out: chars 1..12 fill 5-bit groups from the top, a 13th the low 4 bits.</summary>
    private static ulong NameValue(string text)
    {
        ulong value = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var symbol = (ulong)Charset.IndexOf(text[i], StringComparison.Ordinal);
            value |= i < 12 ? symbol << (64 - (5 * (i + 1))) : symbol & 0x0F;
        }

        return value;
    }

    private static ScheduledProducer Entry(string name, int key) => ScheduledProducer.WithKey(Name.Parse(name), Keys[key]);

    [Fact]
    public void Create_orders_producers_by_their_64_bit_name_value()
    {
        string[] names = ["zz", "a1", "a.b", "a", "b", "1", "aaaaaaaaaaaaj", "aaaaaaaaaaaa", "aaaaaaaaaaaa1", "5", "a5", "z"];
        var expected = names.OrderBy(NameValue).ToList();

        var schedule = ProducerSchedule.Create(3, names.Select((n, i) => Entry(n, i)));

        // The order §4.3 gives these: "1" < "5" < "a" < "a.b" < "a1" < "a5" < "aaaaaaaaaaaa" < ... < "z" < "zz".
        Assert.Equal(["1", "5", "a", "a.b", "a1", "a5"], expected.Take(6));
        Assert.Equal(expected, schedule.Producers.Select(p => p.Producer.ToString()));
        Assert.All(schedule.Producers, p => Assert.Equal(NameValue(p.Producer.ToString()), p.Producer.Value));
        Assert.Equal(3u, schedule.Version);
        Assert.Equal(Keys[Array.IndexOf(names, "a.b")], schedule.Find(Name.Parse("a.b"))!.Authority.Keys.Single().Key);
    }

    [Fact]
    public void A_schedule_needs_at_least_one_producer()
    {
        Assert.Throws<ArgumentException>(() => new ProducerSchedule(1, []));
        Assert.Throws<ArgumentException>(() => ProducerSchedule.Create(1, []));
    }

    [Fact]
    public void An_empty_schedule_is_refused_with_a_reason_and_a_wire_schedule_without_producers_names_its_version()
    {
        var error = Assert.Throws<ArgumentException>(() => new ProducerSchedule(1, []));
        Assert.Equal("producers", error.ParamName);
        Assert.False(string.IsNullOrWhiteSpace(error.Message.Replace($"(Parameter '{error.ParamName}')", "", StringComparison.Ordinal)), error.Message);

        var wireError = Assert.Throws<FormatException>(() => ProducerSchedule.FromWire(new ProducerScheduleJson(41, [])));
        Assert.Contains("v41", wireError.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Null_arguments_are_refused()
    {
        var schedule = ProducerSchedule.Create(1, [Entry("alice", 0)]);

        Assert.Throws<ArgumentNullException>(() => new ProducerSchedule(1, null!));
        Assert.Throws<ArgumentNullException>(() => schedule.Producers[0].IsSatisfiedBy((IEnumerable<PublicKey>)null!));
        Assert.Throws<ArgumentNullException>(() => schedule.Producers[0].SameAs(null!));
        Assert.Throws<ArgumentNullException>(() => schedule.SameOrderAs(null!));
        Assert.Throws<ArgumentNullException>(() => schedule.SameProducersAs(null!));
        Assert.Throws<ArgumentNullException>(() => ProducerSchedule.FromWire(null!));
    }

    [Fact]
    public void Find_and_Contains_answer_for_scheduled_producers_only()
    {
        var schedule = ProducerSchedule.Create(1, [Entry("alice", 0), Entry("bob", 1)]);

        Assert.Equal(Keys[1], schedule.Find(Name.Parse("bob"))!.Authority.Keys.Single().Key);
        Assert.True(schedule.Contains(Name.Parse("alice")));
        Assert.Null(schedule.Find(Name.Parse("carol")));
        Assert.False(schedule.Contains(Name.Parse("carol")));
    }

    [Fact]
    public void Same_order_ignores_keys_and_same_producers_does_not()
    {
        var v1 = ProducerSchedule.Create(1, [Entry("alice", 0), Entry("bob", 1)]);
        var newKey = ProducerSchedule.Create(2, [Entry("alice", 0), Entry("bob", 2)]);
        var sameAgain = ProducerSchedule.Create(9, [Entry("alice", 0), Entry("bob", 1)]);
        var replaced = ProducerSchedule.Create(2, [Entry("alice", 0), Entry("carol", 1)]);
        var longer = ProducerSchedule.Create(2, [Entry("alice", 0), Entry("bob", 1), Entry("carol", 2)]);
        var heavier = new ProducerSchedule(2, [Entry("alice", 0), new ScheduledProducer(Name.Parse("bob"), new BlockSigningAuthority(1, [new KeyWeight(Keys[1], 2)]))]);
        var higherThreshold = new ProducerSchedule(2, [Entry("alice", 0), new ScheduledProducer(Name.Parse("bob"), new BlockSigningAuthority(2, [new KeyWeight(Keys[1], 1)]))]);

        Assert.True(v1.SameOrderAs(newKey));
        Assert.False(v1.SameProducersAs(newKey));
        Assert.True(v1.SameProducersAs(sameAgain));
        Assert.False(v1.SameOrderAs(replaced));
        Assert.False(v1.SameProducersAs(replaced));
        Assert.False(v1.SameOrderAs(longer));
        Assert.False(longer.SameOrderAs(v1));
        Assert.False(v1.SameProducersAs(longer));
        Assert.False(longer.SameProducersAs(v1));
        Assert.True(v1.SameOrderAs(heavier));
        Assert.False(v1.SameProducersAs(heavier));
        Assert.False(v1.SameProducersAs(higherThreshold));
        Assert.True(v1.Producers[1].SameAs(sameAgain.Producers[1]));
        Assert.False(v1.Producers[0].SameAs(v1.Producers[1]));
    }

    [Fact]
    public void An_authority_is_satisfied_when_the_weights_of_the_held_keys_reach_the_threshold()
    {
        // threshold 3: k0 weighs 1, k1 weighs 2, k2 weighs 1
        var producer = new ScheduledProducer(Name.Parse("bp"), new BlockSigningAuthority(3, [new KeyWeight(Keys[0], 1), new KeyWeight(Keys[1], 2), new KeyWeight(Keys[2], 1)]));

        Assert.True(producer.IsSatisfiedBy([Keys[0], Keys[1]]), "1 + 2 = 3 reaches the threshold exactly");
        Assert.True(producer.IsSatisfiedBy([Keys[0], Keys[1], Keys[2]]), "1 + 2 + 1 = 4");
        Assert.False(producer.IsSatisfiedBy([Keys[0], Keys[2]]), "1 + 1 = 2 is below 3");
        Assert.False(producer.IsSatisfiedBy([Keys[1], Keys[1]]), "a key held twice counts once: 2");
        Assert.False(producer.IsSatisfiedBy([Keys[0], Keys[0], Keys[2], Keys[2]]), "duplicates count once: 1 + 1");
        Assert.False(producer.IsSatisfiedBy([Keys[1], Keys[5], Keys[6]]), "keys outside the authority weigh nothing");
        Assert.False(producer.IsSatisfiedBy([]));
        Assert.False(producer.IsSatisfiedBy(Keys[1]));
        Assert.True(Entry("bp", 4).IsSatisfiedBy(Keys[4]));
        Assert.False(Entry("bp", 4).IsSatisfiedBy(Keys[3]));
        Assert.True(new ScheduledProducer(Name.Parse("bp"), new BlockSigningAuthority(2, [new KeyWeight(Keys[7], 2)])).IsSatisfiedBy(Keys[7]));
    }

    [Property]
    public Property An_authority_is_satisfied_exactly_when_the_distinct_held_keys_inside_it_weigh_at_least_the_threshold() =>
        Prop.ForAll(
            (from keyCount in Gen.Choose(1, 6)
             from weights in Gen.ArrayOf(Gen.Choose(0, 5), keyCount)
             from threshold in Gen.Choose(0, 16)
             from held in Gen.Choose(0, 11).ListOf()
             select (weights, threshold, held)).ToArbitrary(),
            x =>
            {
                var authority = new BlockSigningAuthority((uint)x.threshold, [.. x.weights.Select((w, i) => new KeyWeight(Keys[i], (ushort)w))]);
                var heldKeys = x.held.Select(i => Keys[i]).ToList();
                var weight = x.held.Distinct().Where(i => i < x.weights.Length).Sum(i => x.weights[i]);
                return new ScheduledProducer(Name.Parse("bp"), authority).IsSatisfiedBy(heldKeys) == (weight >= x.threshold);
            });

    [Fact]
    public void A_real_schedule_from_get_producer_schedule_reads_in_its_order_and_writes_back_as_served()
    {
        var result = ChainFixture.Load("get_producer_schedule.jungle4.json").ResponseJson.Deserialize(ChainJsonContext.Default.GetProducerScheduleResult)!;
        var wire = result.Active!;

        var schedule = ProducerSchedule.FromWire(wire);

        Assert.Equal(wire.Version, schedule.Version);
        Assert.Equal(wire.Producers.Select(p => p.ProducerName), schedule.Producers.Select(p => p.Producer.ToString()));
        Assert.Equal(
            wire.Producers.Select(p => (p.Authority.Threshold, string.Join(",", p.Authority.Keys.Select(k => $"{PublicKey.Parse(k.Key)}/{k.Weight}")))),
            schedule.Producers.Select(p => (p.Authority.Threshold, string.Join(",", p.Authority.Keys.Select(k => $"{k.Key}/{k.Weight}")))));
        Assert.Equal(WireJson(wire), WireJson(schedule.ToWire()));
    }

    [Fact]
    public void FromWire_rejects_producers_out_of_name_order()
    {
        var wire = new ProducerScheduleJson(4, [WireEntry("bob", 0), WireEntry("alice", 1)]);

        var error = Assert.Throws<FormatException>(() => ProducerSchedule.FromWire(wire));
        Assert.Contains("bob", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromWire_rejects_a_producer_listed_twice()
    {
        var wire = new ProducerScheduleJson(4, [WireEntry("alice", 0), WireEntry("bob", 1), WireEntry("bob", 2)]);

        Assert.Throws<FormatException>(() => ProducerSchedule.FromWire(wire));
    }

    [Fact]
    public void FromWire_judges_the_order_by_name_value_in_which_a_dot_sorts_before_a_digit()
    {
        // "a.b" < "a1" both as text and as name values (§4.3: '.' is 0, '1' is 1): accepted.
        Assert.Equal(2, ProducerSchedule.FromWire(new ProducerScheduleJson(1, [WireEntry("a.b", 0), WireEntry("a1", 1)])).Producers.Count);
        Assert.Throws<FormatException>(() => ProducerSchedule.FromWire(new ProducerScheduleJson(1, [WireEntry("a1", 0), WireEntry("a.b", 1)])));
    }

    [Fact]
    public void FromWire_rejects_an_empty_or_missing_producer_list()
    {
        Assert.Throws<FormatException>(() => ProducerSchedule.FromWire(new ProducerScheduleJson(4, [])));
        Assert.Throws<FormatException>(() => ProducerSchedule.FromWire(new ProducerScheduleJson(4, null!)));
    }

    [Fact]
    public void FromWire_rejects_a_malformed_name_or_key()
    {
        Assert.Throws<FormatException>(() => ProducerSchedule.FromWire(new ProducerScheduleJson(4, [new ProducerAuthority("Alice", WireEntry("alice", 0).Authority)])));
        Assert.Throws<FormatException>(() => ProducerSchedule.FromWire(new ProducerScheduleJson(4,
            [new ProducerAuthority("alice", new SigningAuthority(1, [new AuthorityKey("EOS1234", 1)]))])));
    }

    [Property]
    public Property Any_schedule_round_trips_through_its_wire_record() =>
        Prop.ForAll(
            (from count in Gen.Choose(1, 30)
             from names in Gen.Elements(Charset[6..].ToCharArray()).ArrayOf(8).Select(c => new string(c)).ArrayOf(count)
             from thresholds in Gen.Choose(0, 3).ArrayOf(count)
             from keys in Gen.Choose(0, 11).Zip(Gen.Choose(0, 65535), (k, w) => new KeyWeight(Keys[k], (ushort)w)).ListOf().ArrayOf(count)
             from version in Gen.Choose(0, int.MaxValue)
             select (names, thresholds, keys, version)).ToArbitrary(),
            x =>
            {
                var entries = x.names.Distinct().Select((n, i) => new ScheduledProducer(Name.Parse(n), new BlockSigningAuthority((uint)x.thresholds[i], [.. x.keys[i]])));
                var schedule = ProducerSchedule.Create((uint)x.version, entries);
                var wire = schedule.ToWire();
                var back = ProducerSchedule.FromWire(wire);
                return back.Version == schedule.Version && back.SameProducersAs(schedule)
                    && wire.Producers.All(p => p.Authority.Keys.All(k => k.Key.StartsWith("EOS", StringComparison.Ordinal)))
                    && WireJson(back.ToWire()) == WireJson(wire);
            });

    private static ProducerAuthority WireEntry(string name, int key) =>
        new(name, new SigningAuthority(1, [new AuthorityKey(Keys[key].ToLegacyString(), 1)]));

    private static string WireJson(ProducerScheduleJson schedule) =>
        JsonSerializer.Serialize(new GetProducerScheduleResult(schedule, null, null), ChainJsonContext.Default.GetProducerScheduleResult);
}
