using System.Buffers.Binary;
using System.Text.Json;
using Failover.Antelope;
using Failover.Antelope.Chain;
using Failover.Antelope.Chain.Wire;
using Failover.Antelope.Serialization;
using Failover.Antelope.SystemContract;
using Failover.Simulator.Chain;
using Failover.Simulator.Contract;

namespace Failover.Simulator.Http;

/// <summary>Maps simulator state to the chain API's wire records (one place for the JSON shape: ChainJsonContext).</summary>
internal static class WireMapping
{
    public const string ServerVersion = "5130a1d3";
    public const string ServerVersionString = "v1.0.2-failover-simulator";

    public static GetInfoResult Info(ChainState state) => new(
        ServerVersion,
        state.ChainId.ToString(),
        state.Head.Number,
        state.LastIrreversible,
        state.LastIrreversibleBlock.Id.ToString(),
        state.Head.Id.ToString(),
        state.Head.Timestamp,
        state.Head.Producer.ToString(),
        200_000_000,
        1_048_576_000,
        200_000,
        1_048_576,
        ServerVersionString,
        state.Head.Number,
        state.Head.Id.ToString(),
        ServerVersionString,
        381_024_733_421_463,
        94_471_098_335_361,
        1,
        state.LastIrreversibleBlock.Timestamp);

    public static GetBlockResult Block(SimBlock block) => new(
        block.Timestamp,
        block.Producer.ToString(),
        block.Header.Confirmed,
        block.Previous.ToString(),
        block.Header.TransactionMroot.ToString(),
        block.Header.ActionMroot.ToString(),
        block.Header.ScheduleVersion,
        null,
        block.ProducerSignature.ToString(),
        [.. block.Transactions.Select(TransactionMapping.BlockTransaction)],
        block.Id.ToString(),
        block.Number,
        block.RefBlockPrefix,
        NewProducerSchedule: block.NewProducerSchedule is { } schedule ? Schedule(schedule) : null,
        FinalityExtension: block.Finality is { } finality ? Finality(finality) : null,
        QcExtension: block.Certificate is { } certificate ? Certificate(certificate) : null);

    public static GetBlockInfoResult BlockInfo(SimBlock block) => new(
        block.Number,
        block.RefBlockNum,
        block.Id.ToString(),
        block.Timestamp,
        block.Producer.ToString(),
        block.Header.Confirmed,
        block.Previous.ToString(),
        block.Header.TransactionMroot.ToString(),
        block.Header.ActionMroot.ToString(),
        block.Header.ScheduleVersion,
        block.ProducerSignature.ToString(),
        block.RefBlockPrefix);

    /// <summary>
    /// <c>get_block_header_state</c>: Leap's full legacy state for a legacy block; for a Savanna block Spring's
    /// legacy-shaped answer where only the number, id and header are meaningful.
    /// </summary>
    public static GetBlockHeaderStateResult HeaderState(SimBlock block)
    {
        var header = new BlockHeaderJson(
            block.Timestamp,
            block.Producer.ToString(),
            block.Header.Confirmed,
            block.Previous.ToString(),
            block.Header.TransactionMroot.ToString(),
            block.Header.ActionMroot.ToString(),
            block.Header.ScheduleVersion,
            [.. block.Header.Extensions.Select(e => new HeaderExtensionJson(e.Id, Convert.ToHexStringLower(e.Data)))],
            null,
            block.ProducerSignature.ToString());
        var empty = new ProducerScheduleJson(0, []);
        if (block.LegacyState is not { } legacy)
        {
            return new GetBlockHeaderStateResult(
                block.Number, 0, 0, empty, new IncrementalMerkle([], 0), [], [], new SigningAuthority(0, []), [],
                block.Id.ToString(), header, new PendingSchedule(0, Checksum256.Zero.ToString(), empty), null, []);
        }

        var pending = legacy.Pending is { } change
            ? new PendingSchedule(change.BlockNum, legacy.ScheduleHash.ToString(), Schedule(change.Schedule))
            : new PendingSchedule(0, legacy.ScheduleHash.ToString(), new ProducerScheduleJson(legacy.ActiveSchedule.Version, []));
        return new GetBlockHeaderStateResult(
            block.Number,
            legacy.Dpos.ProposedIrreversible,
            legacy.Dpos.Irreversible,
            Schedule(legacy.ActiveSchedule),
            new IncrementalMerkle([block.Previous.ToString()], block.Number - 1),
            ByName(legacy.Dpos.LastProduced),
            ByName(legacy.Dpos.LastImpliedIrreversible),
            Authority(legacy.Signer.Authority),
            [.. legacy.Dpos.ConfirmCount.Select(c => (uint)c)],
            block.Id.ToString(),
            header,
            pending,
            null,
            []);
    }

    /// <summary>
    /// Savanna (chain_plugin.cpp <c>get_producer_schedule</c>, block_state <c>pending_producers</c>): <c>pending</c> is
    /// the pending proposer policy only (a proposal not yet pending does not show); <c>proposed</c> is always null.
    /// </summary>
    public static GetProducerScheduleResult ProducerSchedule(ChainState state) => state.Mode == ConsensusMode.Savanna
        ? new(Schedule(state.ActiveSchedule), state.Pending is { } waiting ? Schedule(waiting.Schedule) : null, null)
        : new(Schedule(state.ActiveSchedule), state.Pending is { } pending ? Schedule(pending.Schedule) : null, state.Proposed is { } proposed ? Schedule(proposed.Schedule) : null);

    public static ProducerScheduleJson Schedule(Antelope.Scheduling.ProducerSchedule schedule) => schedule.ToWire();

    public static ProducerRowJson ProducerRow(Contract.ProducerRow row) => new(
        row.Owner.ToString(),
        row.TotalVotes,
        row.ProducerKey.ToLegacyString(),
        row.IsActive,
        row.Url,
        row.UnpaidBlocks,
        row.LastClaimTime,
        row.Location,
        row.ProducerAuthority is { } authority ? Authority(authority) : null);

    /// <summary>A producers row as <c>get_table_rows</c> shows it with <c>json: false</c>: the hex of the packed <c>producer_info</c>.</summary>
    public static JsonElement ProducerRowHex(Contract.ProducerRow row)
    {
        var writer = new AbiWriter();
        writer.WriteName(row.Owner);
        Span<byte> votes = stackalloc byte[sizeof(double)];
        BinaryPrimitives.WriteDoubleLittleEndian(votes, row.TotalVotes);
        writer.WriteRaw(votes);
        writer.WritePublicKey(row.ProducerKey);
        writer.WriteBool(row.IsActive);
        writer.WriteString(row.Url);
        writer.WriteUInt32(row.UnpaidBlocks);
        writer.WriteInt64((row.LastClaimTime - DateTimeOffset.UnixEpoch).Ticks / 10);
        writer.WriteUInt16(row.Location);
        writer.WriteBinaryExtension(row.ProducerAuthority, static (w, authority) => w.WriteVariant(0, w2 =>
        {
            w2.WriteUInt32(authority.Threshold);
            w2.WriteVector(authority.Keys, static (w3, key) =>
            {
                w3.WritePublicKey(key.Key);
                w3.WriteUInt16(key.Weight);
            });
        }));
        return JsonBuilder.Build(w => w.WriteStringValue(Convert.ToHexStringLower(writer.ToArray())));
    }

    /// <summary>A <c>finkeys</c> row (<c>finalizer_key_info</c>): <c>finalizer_key_binary</c> is the key's 96 bytes.</summary>
    public static FinalizerKeyRowJson FinalizerKeyRow(Name finalizer, RegisteredFinalizerKey key) =>
        new(key.Id, finalizer.ToString(), key.Key, Convert.ToHexStringLower(KeyBytes(key.Key)));

    /// <summary>The <c>finkeys</c> row's ABI bytes: <c>id</c> uint64, <c>finalizer_name</c> name, <c>finalizer_key</c> string, <c>finalizer_key_binary</c> bytes.</summary>
    public static JsonElement FinalizerKeyRowHex(Name finalizer, RegisteredFinalizerKey key)
    {
        var writer = new AbiWriter();
        writer.WriteUInt64(key.Id);
        writer.WriteName(finalizer);
        writer.WriteString(key.Key);
        writer.WriteBytes(KeyBytes(key.Key));
        return JsonBuilder.Build(w => w.WriteStringValue(Convert.ToHexStringLower(writer.ToArray())));
    }

    /// <summary>A <c>finalizers</c> row (<c>finalizer_info</c>) of a finalizer with an active key.</summary>
    public static FinalizerRowJson FinalizerRow(FinalizerKeys keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var active = keys.ActiveKey ?? throw new ArgumentException($"{keys.Finalizer} has no active finalizer key, so no finalizers row", nameof(keys));
        return new(keys.Finalizer.ToString(), active.Id, Convert.ToHexStringLower(KeyBytes(active.Key)), (uint)keys.Keys.Count);
    }

    /// <summary>The <c>finalizers</c> row's ABI bytes: <c>finalizer_name</c> name, <c>active_key_id</c> uint64, <c>active_key_binary</c> bytes, <c>finalizer_key_count</c> uint32.</summary>
    public static JsonElement FinalizerRowHex(FinalizerKeys keys)
    {
        var row = FinalizerRow(keys);
        var writer = new AbiWriter();
        writer.WriteName(keys.Finalizer);
        writer.WriteUInt64(row.ActiveKeyId);
        writer.WriteBytes(Convert.FromHexString(row.ActiveKeyBinary));
        writer.WriteUInt32(row.FinalizerKeyCount);
        return JsonBuilder.Build(w => w.WriteStringValue(Convert.ToHexStringLower(writer.ToArray())));
    }

    private static byte[] KeyBytes(string key) =>
        BlsPublicKey.TryDecode(key, out var point) ? point : throw new FormatException($"finalizer key {key} is not a BLS public key");

    /// <summary>The <c>prototalvote</c> order: active producers by descending votes, then inactive ones.</summary>
    public static IEnumerable<Contract.ProducerRow> ByVotes(ContractState contract) =>
        contract.Producers.Values.OrderBy(p => p.IsActive ? -p.TotalVotes : p.TotalVotes).ThenBy(p => p.Owner.Value);

    public static GetAccountResult Account(ChainState state, Account account)
    {
        var limit = new AccountResourceLimit(0, 1_000_000, 1_000_000);
        var permissions = account.Permissions.Select(p => new PermissionInfo(
            p.Name.ToString(),
            p.Parent?.ToString() ?? string.Empty,
            new AccountAuthority(p.Authority.Threshold, [.. p.Authority.Keys.Select(k => new AuthorityKey(k.Key.ToLegacyString(), k.Weight))], [], []),
            [.. account.LinksOf(p.Name).Select(l => new LinkedActionJson(l.Code.ToString(), l.Action.ToString()))])).ToList();
        var genesis = state.Blocks[0].Timestamp;
        return new GetAccountResult(
            account.Name.ToString(),
            state.Head.Number,
            state.Head.Timestamp,
            account.Name == Roster.Eosio,
            genesis,
            genesis,
            8_000_000,
            -1,
            -1,
            limit,
            limit,
            3_000,
            permissions,
            null,
            null,
            null,
            null,
            null,
            EosioAnyLinkedActions: []);
    }

    public static ChainErrorBody ErrorBody(ChainException error) => new(
        error.HttpStatus,
        error.HttpMessage,
        new ChainError(error.Code, error.ErrorName, error.What, error.File.Length == 0 ? [] : [new ChainErrorDetail(error.Message, error.File, (ulong)error.Line, error.Method)]));

    private static List<ProducerBlockNumber> ByName(IReadOnlyDictionary<Name, uint> numbers) =>
        [.. numbers.OrderBy(p => p.Key.Value).Select(p => new ProducerBlockNumber(p.Key.ToString(), p.Value))];

    private static SigningAuthority Authority(BlockSigningAuthority authority) =>
        new(authority.Threshold, [.. authority.Keys.Select(k => new AuthorityKey(k.Key.ToLegacyString(), k.Weight))]);

    /// <summary>
    /// <c>qc_extension</c> as Spring's <c>get_block</c> renders it: bitsets as strings of 0 and 1 (rightmost = finalizer 0),
    /// no weak votes in a strong certificate. The signature has the shape of a BLS one but is not an aggregate: the
    /// simulator does not do BLS, and no client here verifies it.
    /// </summary>
    private static QcExtension Certificate(SimQuorumCertificate certificate) => new(new QuorumCertificate(
        certificate.BlockNum,
        PolicySignature(certificate.BlockNum, certificate.ActiveVotes),
        certificate.PendingVotes is { } pending ? PolicySignature(certificate.BlockNum, pending) : null));

    private static QcPolicySignature PolicySignature(uint blockNum, IReadOnlyList<bool> votes) => new(
        "SIG_BLS_" + Convert.ToBase64String(System.Security.Cryptography.SHA512.HashData(BitConverter.GetBytes(blockNum))).TrimEnd('=').Replace('+', '-').Replace('/', '_'),
        JsonBuilder.Build(writer => writer.WriteStringValue(new Failover.Antelope.Blocks.VoteBitset(votes).ToString())));

    private static FinalityExtensionJson Finality(FinalityExtension finality) => new(
        new QcClaim(finality.QcClaimBlockNum, finality.IsStrongQc),
        null,
        finality.NewProposerPolicy is { } diff ? new ProposerPolicyDiffJson(diff.Version, BlockTimestamp.FromSlot(diff.ProposalSlot), AuthDiff(diff)) : null);

    private static JsonElement AuthDiff(ProposerPolicyDiff diff) => JsonBuilder.Build(writer =>
    {
        writer.WriteStartObject();
        writer.WriteStartArray("remove_indexes");
        foreach (var index in diff.RemovedIndexes)
        {
            writer.WriteNumberValue(index);
        }

        writer.WriteEndArray();
        writer.WriteStartArray("insert_indexes");
        for (var i = 0; i < diff.Schedule.Producers.Count; i++)
        {
            var producer = diff.Schedule.Producers[i];
            writer.WriteStartArray();
            writer.WriteNumberValue(i);
            writer.WriteStartObject();
            writer.WriteString("producer_name", producer.Producer.ToString());
            writer.WriteStartArray("authority");
            writer.WriteNumberValue(0);
            JsonBuilder.WriteAuthority(writer, producer.Authority);
            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteEndArray();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    });

}
