using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Failover.Antelope;
using Failover.Antelope.Chain;
using Failover.Antelope.Chain.Wire;
using Failover.Antelope.Transactions;
using Failover.Simulator.Chain;

namespace Failover.Simulator.Http;

/// <summary>A chain API answer: HTTP status and JSON body.</summary>
public sealed record ChainApiResponse(int Status, byte[] Body);

/// <summary>
/// The <c>/v1/chain/*</c> endpoints over a <see cref="ChainSimulator"/>, independent of the HTTP server: one
/// API node's view, nodeos's JSON conventions through <see cref="ChainJsonContext"/>, nodeos's error bodies.
/// </summary>
public sealed class ChainApi
{
    private static readonly Lazy<byte[]> SystemAbi = new(() =>
        FixtureResponse(Resource("get_raw_abi.eosio_system_constructed.json"), ChainJsonContext.Default.GetRawAbiResult).DecodeAbi()!);
    private static readonly Lazy<byte[]> AbiFixture = new(() => Resource("get_abi.eosio_system_with_finalizer_constructed.json"));
    /// <summary>
    /// No contract code runs in the simulator: <c>eosio</c>'s code is the smallest valid WebAssembly module (magic and
    /// version), so that its code hash is the sha256 of the code <c>get_raw_code_and_abi</c> serves, as on a node.
    /// </summary>
    private static readonly byte[] SystemCode = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    private static readonly Checksum256 SystemCodeHash = Checksum256.Hash(SystemCode);
    private readonly ChainSimulator _simulator;

    public ChainApi(ChainSimulator simulator) => _simulator = simulator ?? throw new ArgumentNullException(nameof(simulator));

    public static IReadOnlyList<string> Endpoints { get; } =
    [
        "get_info", "get_block", "get_block_info", "get_producer_schedule", "get_producers", "get_table_rows",
        "get_block_header_state", "get_finalizer_info", "get_account", "get_raw_abi", "get_raw_code_and_abi", "get_abi", "get_required_keys",
        "push_transaction", "send_transaction", "send_transaction2",
    ];

    /// <summary>Answers one request as <paramref name="apiNode"/> (an API node, or a producer node <c>producer/dc</c>).</summary>
    /// <param name="refuseWithCode">
    /// An API fault's <c>error_code</c>: the node refuses with that fc error instead of answering. A push is parsed
    /// first (a bad body is still a bad request) and then refused without being applied; <c>send_transaction2</c>
    /// with <c>return_failure_trace</c> answers the refusal as its failure trace, as it does any failed transaction.
    /// </param>
    public ChainApiResponse Handle(string apiNode, string endpoint, string body, long? refuseWithCode = null)
    {
        var refusal = refuseWithCode is { } code ? ChainErrors.Injected(code, _simulator.Time.GetUtcNow()) : null;
        if (refusal is not null && Endpoints.Contains(endpoint) && !IsPush(endpoint))
        {
            return Error(refusal);
        }

        try
        {
            return endpoint switch
            {
                "get_info" => Ok(WireMapping.Info(View(apiNode, body, noParams: true)), ChainJsonContext.Default.GetInfoResult),
                "get_block" => GetBlock(apiNode, body),
                "get_block_info" => GetBlockInfo(apiNode, body),
                "get_block_header_state" => GetBlockHeaderState(apiNode, body),
                "get_finalizer_info" => GetFinalizerInfo(apiNode, body),
                "get_producer_schedule" => Ok(WireMapping.ProducerSchedule(View(apiNode, body, noParams: true)), ChainJsonContext.Default.GetProducerScheduleResult),
                "get_producers" => GetProducers(apiNode, body),
                "get_table_rows" => GetTableRows(apiNode, body),
                "get_account" => GetAccount(apiNode, body),
                "get_raw_abi" => GetRawAbi(apiNode, body),
                "get_raw_code_and_abi" => GetRawCodeAndAbi(apiNode, body),
                "get_abi" => GetAbi(apiNode, body),
                "get_required_keys" => GetRequiredKeys(apiNode, body),
                "push_transaction" => Push(apiNode, body, tree: true, refusal),
                "send_transaction" => Push(apiNode, body, tree: false, refusal),
                "send_transaction2" => SendTransaction2(apiNode, body, refusal),
                _ => throw ChainErrors.UnknownEndpoint(),
            };
        }
        catch (ChainException e)
        {
            return Error(e);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException or OverflowException)
        {
            return Error(ChainErrors.Internal($"{endpoint}: {e.Message}"));
        }
    }

    public static ChainApiResponse Error(ChainException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new(error.HttpStatus, JsonSerializer.SerializeToUtf8Bytes(WireMapping.ErrorBody(error), ChainJsonContext.Default.ChainErrorBody));
    }

    private ChainState View(string apiNode, string body, bool noParams)
    {
        if (noParams && RequestBody.Parse(body) is not null)
        {
            throw ChainErrors.InvalidRequest("no parameter should be given");
        }

        return _simulator.View(apiNode);
    }

    private ChainApiResponse GetBlock(string apiNode, string body)
    {
        var (key, block, _) = FindBlock(apiNode, body);
        return Ok(WireMapping.Block(block ?? throw ChainErrors.UnknownBlock(key)), ChainJsonContext.Default.GetBlockResult);
    }

    /// <summary>Legacy (Leap): only reversible blocks; Savanna (Spring): any block, legacy fields zero.</summary>
    private ChainApiResponse GetBlockHeaderState(string apiNode, string body)
    {
        var (key, block, state) = FindBlock(apiNode, body);
        if (block is null || (state.Mode == ConsensusMode.Legacy && block.Number <= state.LastIrreversible))
        {
            throw ChainErrors.UnknownBlock(key, reversible: state.Mode == ConsensusMode.Legacy);
        }

        return Ok(WireMapping.HeaderState(block), ChainJsonContext.Default.GetBlockHeaderStateResult);
    }

    /// <summary>Spring only: a legacy (Leap) chain has no such endpoint.</summary>
    private ChainApiResponse GetFinalizerInfo(string apiNode, string body)
    {
        var state = View(apiNode, body, noParams: true);
        return state.Mode == ConsensusMode.Savanna
            ? Ok(FinalizerInfoMapping.Info(state), ChainJsonContext.Default.GetFinalizerInfoResult)
            : throw ChainErrors.UnknownEndpoint();
    }

    private (string Key, SimBlock? Block, ChainState State) FindBlock(string apiNode, string body)
    {
        var key = RequestBody.Required(body).String("block_num_or_id").Trim();
        var state = _simulator.View(apiNode);
        if (key.Length == 64 && Checksum256.TryParse(key, out var id, out _))
        {
            return (key, state.BlockById(id), state);
        }

        return uint.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? (key, state.BlockByNumber(number), state)
            : throw ChainErrors.InvalidRequest($"Invalid block_num_or_id '{key}': expected a block number or a 64-hex block id");
    }

    private ChainApiResponse GetBlockInfo(string apiNode, string body)
    {
        var number = RequestBody.Required(body).UInt("block_num");
        var block = number <= uint.MaxValue ? _simulator.View(apiNode).BlockByNumber((uint)number) : null;
        return Ok(WireMapping.BlockInfo(block ?? throw ChainErrors.UnknownBlock(number.ToString(CultureInfo.InvariantCulture))), ChainJsonContext.Default.GetBlockInfoResult);
    }

    private ChainApiResponse GetProducers(string apiNode, string body)
    {
        var request = RequestBody.Parse(body);
        var limit = (int)Math.Min(request?.UInt("limit", 50) ?? 50, 1000);
        var lowerBound = request?.String("lower_bound", string.Empty) ?? string.Empty;
        var contract = _simulator.View(apiNode).Contract;
        var ordered = WireMapping.ByVotes(contract).ToList();
        var start = lowerBound.Length == 0 ? 0 : Math.Max(0, ordered.FindIndex(p => p.Owner.ToString() == lowerBound));
        var page = ordered.Skip(start).Take(limit).ToList();
        var more = start + limit < ordered.Count ? ordered[start + limit].Owner.ToString() : string.Empty;
        var total = contract.Producers.Values.Where(p => p.IsActive).Sum(p => p.TotalVotes);
        return Ok(new GetProducersResult([.. page.Select(WireMapping.ProducerRow)], total, more), ChainJsonContext.Default.GetProducersResult);
    }

    /// <summary>
    /// The system contract's tables of <c>eosio</c>/<c>eosio</c> the simulator keeps (chain_plugin.cpp
    /// <c>get_table_rows</c>): <c>producers</c> (primary key: owner), <c>finkeys</c> (primary key: id; secondary index
    /// <c>byfinname</c>, <c>index_position</c> 2: the finalizer's name) and <c>finalizers</c> (primary key: the finalizer's
    /// name). Rows in the index's order (ties by primary key), between <c>lower_bound</c> and <c>upper_bound</c> (numbers,
    /// or names as nodeos converts them), <c>reverse</c> from the upper bound down; objects with <c>json: true</c>, hex
    /// strings of the row's ABI bytes otherwise; <c>next_key</c> the next row's key in the index, as a name for
    /// <c>key_type: "name"</c>, else decimal.
    /// </summary>
    private ChainApiResponse GetTableRows(string apiNode, string body)
    {
        var request = RequestBody.Required(body);
        var code = request.String("code");
        var table = request.String("table");
        var scope = request.String("scope", code);
        if (code != "eosio" || scope != "eosio")
        {
            throw ChainErrors.TableNotServed(code, scope, table);
        }

        var contract = _simulator.View(apiNode).Contract;
        var index = IndexPosition(request.String("index_position", string.Empty));
        switch (table)
        {
            case "producers":
                // Always the primary index (the prototalvote order is get_producers').
                return Rows(request, contract.Producers.Values.Select(p => (p.Owner.Value, p.Owner.Value, p)),
                    WireMapping.ProducerRow, WireMapping.ProducerRowHex, ChainJsonContext.Default.GetTableRowsResultProducerRowJson);
            case "finkeys":
                var keys = contract.Finalizers.Values.SelectMany(f => f.Keys.Select(k => (Finalizer: f.Finalizer, Key: k)));
                return Rows(request, index switch
                    {
                        1 => keys.Select(k => (k.Key.Id, k.Key.Id, k)),
                        2 => keys.Select(k => (k.Finalizer.Value, k.Key.Id, k)),
                        _ => throw IndexNotServed(table, index, "1 (id) and 2 (byfinname)"),
                    },
                    k => WireMapping.FinalizerKeyRow(k.Finalizer, k.Key), k => WireMapping.FinalizerKeyRowHex(k.Finalizer, k.Key),
                    ChainJsonContext.Default.GetTableRowsResultFinalizerKeyRowJson);
            case "finalizers":
                return index == 1
                    ? Rows(request, contract.Finalizers.Values.Where(f => f.ActiveKey is not null).Select(f => (f.Finalizer.Value, f.Finalizer.Value, f)),
                        WireMapping.FinalizerRow, WireMapping.FinalizerRowHex, ChainJsonContext.Default.GetTableRowsResultFinalizerRowJson)
                    : throw IndexNotServed(table, index, "1 (finalizer_name)");
            default:
                throw ChainErrors.TableNotServed(code, scope, table);
        }
    }

    /// <summary>
    /// One page of a table's rows keyed by (<c>IndexKey</c>, <c>PrimaryKey</c>): those with the index key within the bounds, in
    /// the index's order (or reversed), at most <c>limit</c> (default 10, capped at 1000).
    /// </summary>
    private static ChainApiResponse Rows<TRow, TJson>(
        RequestBody request,
        IEnumerable<(ulong IndexKey, ulong PrimaryKey, TRow Row)> rows,
        Func<TRow, TJson> toJson,
        Func<TRow, JsonElement> toHex,
        JsonTypeInfo<GetTableRowsResult<TJson>> jsonType)
    {
        var limit = (int)Math.Min(request.UInt("limit", 10), 1000);
        var lower = Bound(request.String("lower_bound", string.Empty), ulong.MinValue);
        var upper = Bound(request.String("upper_bound", string.Empty), ulong.MaxValue);
        var inRange = rows.Where(r => r.IndexKey >= lower && r.IndexKey <= upper).OrderBy(r => r.IndexKey).ThenBy(r => r.PrimaryKey).ToList();
        if (request.Bool("reverse", false))
        {
            inRange.Reverse();
        }

        var page = inRange.Take(limit).ToList();
        var more = inRange.Count > limit;
        var nextKey = !more ? string.Empty
            : request.String("key_type", string.Empty) == "name" ? Name.FromValue(inRange[limit].IndexKey).ToString() : inRange[limit].IndexKey.ToString(CultureInfo.InvariantCulture);
        return request.Bool("json", false)
            ? Ok(new GetTableRowsResult<TJson>([.. page.Select(r => toJson(r.Row))], more, nextKey), jsonType)
            : Ok(new GetTableRowsResult<JsonElement>([.. page.Select(r => toHex(r.Row))], more, nextKey), ChainJsonContext.Default.GetTableRowsResultJsonElement);
    }

    /// <summary>
    /// chain_plugin.cpp's reading of <c>index_position</c>: empty, <c>first</c>, <c>primary</c>, <c>one</c> or 1 is the
    /// primary index (1); <c>sec…</c>, <c>two</c> or 2 the first secondary index (2); <c>ter…</c>, <c>th…</c> or 3 the next; a number n the n-th.
    /// </summary>
    private static int IndexPosition(string text) => text switch
    {
        "" or "first" or "primary" or "one" => 1,
        "two" => 2,
        _ when text.StartsWith("sec", StringComparison.Ordinal) => 2,
        _ when text.StartsWith("ter", StringComparison.Ordinal) || text.StartsWith("th", StringComparison.Ordinal) => 3,
        _ when int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 => n,
        _ => throw ChainErrors.InvalidRequest($"Invalid index_position '{text}'"),
    };

    private static ChainException IndexNotServed(string table, int index, string served) =>
        ChainErrors.InvalidRequest($"index_position {index} of eosio/eosio/{table} is not served by the simulator; it serves {served}");

    private ChainApiResponse GetAccount(string apiNode, string body)
    {
        var request = RequestBody.Required(body);
        var name = request.String("account_name");
        var state = _simulator.View(apiNode);
        if (!Name.TryParse(name, out var account, out _) || !state.Contract.Accounts.TryGetValue(account, out var found))
        {
            throw ChainErrors.UnknownAccount(name);
        }

        return Ok(WireMapping.Account(state, found), ChainJsonContext.Default.GetAccountResult);
    }

    /// <summary>
    /// chain_plugin.cpp <c>get_raw_abi</c>: <c>abi_hash</c> is the sha256 of the account's ABI (of nothing when it has
    /// none), <c>code_hash</c> zero without code, and the ABI is left out only when the caller's <c>abi_hash</c> matches.
    /// </summary>
    private ChainApiResponse GetRawAbi(string apiNode, string body)
    {
        var request = RequestBody.Required(body);
        var account = AccountOf(apiNode, request);
        var (code, abi) = CodeAndAbi(account);
        var hash = Checksum256.Hash(abi).ToString();
        var known = request.String("abi_hash", string.Empty) == hash;
        var codeHash = code.Length == 0 ? Checksum256.Zero : Checksum256.Hash(code);
        return Ok(new GetRawAbiResult(account.ToString(), codeHash.ToString(), hash, known ? null : Convert.ToBase64String(abi)), ChainJsonContext.Default.GetRawAbiResult);
    }

    /// <summary>
    /// chain_plugin.cpp <c>get_raw_code_and_abi</c> (how eosjs 20 fetches ABIs): the account's code and ABI, each
    /// base64, empty for an account without them.
    /// </summary>
    private ChainApiResponse GetRawCodeAndAbi(string apiNode, string body)
    {
        var account = AccountOf(apiNode, RequestBody.Required(body));
        var (code, abi) = CodeAndAbi(account);
        return Ok(new GetRawCodeAndAbiResult(account.ToString(), Convert.ToBase64String(code), Convert.ToBase64String(abi)), SimJsonContext.Default.GetRawCodeAndAbiResult);
    }

    /// <summary>Only <c>eosio</c> has code and an ABI (the constructed system ABI of the embedded fixture).</summary>
    private static (byte[] Code, byte[] Abi) CodeAndAbi(Name account) => account == Roster.Eosio
        ? (SystemCode, SystemAbi.Value)
        : ([], []);

    private ChainApiResponse GetAbi(string apiNode, string body)
    {
        var account = AccountOf(apiNode, RequestBody.Required(body));
        var result = account == Roster.Eosio
            ? FixtureResponse(AbiFixture.Value, ChainJsonContext.Default.GetAbiResult)
            : new GetAbiResult(account.ToString());
        return Ok(result, ChainJsonContext.Default.GetAbiResult);
    }

    private ChainApiResponse GetRequiredKeys(string apiNode, string body)
    {
        var request = RequestBody.Required(body);
        var actions = RequestBody.Actions(request.Root.TryGetProperty("transaction", out var transaction) ? transaction : default);
        if (!request.Root.TryGetProperty("available_keys", out var keys) || keys.ValueKind != JsonValueKind.Array)
        {
            throw ChainErrors.InvalidRequest("Missing field 'available_keys' (an array of public keys)");
        }

        var available = keys.EnumerateArray().Select(k => PublicKey.TryParse(k.GetString(), out var key, out var error)
            ? key
            : throw ChainErrors.InvalidRequest($"Invalid public key in available_keys: {error}")).ToList();
        var required = _simulator.RequiredKeys(actions, available, apiNode);
        return Ok(new GetRequiredKeysResult([.. required.Select(k => k.ToLegacyString())]), ChainJsonContext.Default.GetRequiredKeysResult);
    }

    private static bool IsPush(string endpoint) => endpoint is "push_transaction" or "send_transaction" or "send_transaction2";

    private ChainApiResponse Push(string apiNode, string body, bool tree, ChainException? refusal)
    {
        var packed = RequestBody.Required(body).PackedTransaction();
        if (refusal is not null)
        {
            throw refusal;
        }

        var accepted = _simulator.Push(packed, apiNode);
        return Ok(TransactionMapping.PushResult(accepted, tree), ChainJsonContext.Default.PushTransactionResult, status: 202);
    }

    /// <summary>
    /// send_transaction2: with <c>return_failure_trace</c> (default true) a failed transaction answers 202 with
    /// <c>processed.except</c> set. <c>retry_trx</c> is accepted and ignored (the simulator does not track retries).
    /// </summary>
    private ChainApiResponse SendTransaction2(string apiNode, string body, ChainException? refusal)
    {
        var request = RequestBody.Required(body);
        var packed = request.Object("transaction").PackedTransaction();
        try
        {
            if (refusal is not null)
            {
                throw refusal;
            }

            return Ok(TransactionMapping.PushResult(_simulator.Push(packed, apiNode), tree: false), ChainJsonContext.Default.PushTransactionResult, status: 202);
        }
        catch (ChainException e) when (request.Bool("return_failure_trace", true) && e.HttpStatus == 500)
        {
            var state = _simulator.View(apiNode);
            var pendingTime = Contract.TransactionProcessor.PendingBlockTime(state, _simulator.Time.GetUtcNow());
            return Ok(TransactionMapping.FailureResult(TransactionIdOf(packed), state, pendingTime, e), ChainJsonContext.Default.PushTransactionResult, status: 202);
        }
    }

    private static string TransactionIdOf(PackedTransaction packed) =>
        packed.Compression == 0 && Hex.TryDecode(packed.PackedTrx, out var bytes) ? Checksum256.Hash(bytes).ToString() : Checksum256.Zero.ToString();

    private Name AccountOf(string apiNode, RequestBody request)
    {
        var name = request.String("account_name");
        return Name.TryParse(name, out var account, out _) && _simulator.View(apiNode).Contract.Accounts.ContainsKey(account)
            ? account
            : throw ChainErrors.UnknownAccount(name);
    }

    private static ulong Bound(string text, ulong fallback)
    {
        if (text.Length == 0)
        {
            return fallback;
        }

        if (ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        return Name.TryParse(text, out var name, out var error) ? name.Value : throw ChainErrors.InvalidRequest($"Invalid bound '{text}': {error}");
    }

    private static ChainApiResponse Ok<T>(T value, JsonTypeInfo<T> type, int status = 200) => new(status, JsonSerializer.SerializeToUtf8Bytes(value, type));

    private static T FixtureResponse<T>(byte[] fixture, JsonTypeInfo<T> type)
    {
        using var document = JsonDocument.Parse(fixture);
        return document.RootElement.GetProperty("response").Deserialize(type)
            ?? throw new InvalidOperationException("An embedded ABI fixture has no response.");
    }

    private static byte[] Resource(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"Failover.Simulator.Resources.{name}")
            ?? throw new InvalidOperationException($"Embedded resource {name} is missing.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
