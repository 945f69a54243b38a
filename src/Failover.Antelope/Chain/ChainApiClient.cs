using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Failover.Antelope.Chain.Wire;
using Failover.Antelope.Transactions;

namespace Failover.Antelope.Chain;

/// <summary>
/// Typed client of nodeos's <c>/v1/chain/*</c> API. Every call is a POST with a JSON body and has its own timeout
/// (<see cref="ChainApiOptions.Timeout"/>). Reads are retried after transient failures
/// (<see cref="ChainApiException.IsTransient"/>) up to <see cref="ChainApiOptions.ReadRetries"/> times; pushes are
/// never retried, because a push that timed out may still have been accepted. Failures surface as
/// <see cref="ChainApiException"/> (or a subclass); cancellation by the caller as <see cref="OperationCanceledException"/>.
/// </summary>
public sealed class ChainApiClient
{
    /// <summary>The most rows nodeos returns in one <c>get_table_rows</c> answer.</summary>
    public const uint MaxTableRows = 1000;
    private static readonly byte[] NoParameters = "{}"u8.ToArray();
    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json");
    private static readonly ChainJsonContext Json = ChainJsonContext.Default;

    private readonly HttpClient http;
    private readonly Uri chainApiBase;
    private readonly TimeSpan timeout;
    private readonly int readRetries;
    private readonly TimeSpan retryDelay;
    private readonly TimeProvider time;
    private readonly int maxResponseBytes;

    public ChainApiClient(HttpClient http, ChainApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.TimeProvider);
        if (options.Timeout <= TimeSpan.Zero && options.Timeout != System.Threading.Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentException($"ChainApiOptions.Timeout must be positive, got {options.Timeout}", nameof(options));
        }

        if (options.MaxResponseBytes < 1)
        {
            throw new ArgumentException($"ChainApiOptions.MaxResponseBytes must be positive, got {options.MaxResponseBytes}", nameof(options));
        }

        if (options.ReadRetries < 0 || options.RetryDelay < TimeSpan.Zero)
        {
            throw new ArgumentException(
                $"ChainApiOptions.ReadRetries and RetryDelay must not be negative, got {options.ReadRetries} and {options.RetryDelay}",
                nameof(options));
        }

        var baseAddress = options.BaseAddress ?? http.BaseAddress
            ?? throw new ArgumentException("the chain API client needs a base address (ChainApiOptions.BaseAddress or HttpClient.BaseAddress)", nameof(options));
        var root = baseAddress.AbsoluteUri.EndsWith('/') ? baseAddress : new Uri(baseAddress.AbsoluteUri + "/");
        this.http = http;
        chainApiBase = new Uri(root, "v1/chain/");
        timeout = options.Timeout;
        readRetries = options.ReadRetries;
        retryDelay = options.RetryDelay;
        maxResponseBytes = options.MaxResponseBytes;
        time = options.TimeProvider;
    }

    public Task<GetInfoResult> GetInfoAsync(CancellationToken cancellationToken = default) =>
        ReadAsync("get_info", NoParameters, Json.GetInfoResult, cancellationToken);

    /// <summary>A block by decimal number or 64-hex id; a reversible number may later return another block (fork).</summary>
    public Task<GetBlockResult> GetBlockAsync(string blockNumOrId, CancellationToken cancellationToken = default) =>
        ReadAsync("get_block", Body(new GetBlockRequest(CheckBlockNumOrId(blockNumOrId)), Json.GetBlockRequest),
            Json.GetBlockResult, cancellationToken);

    public Task<GetBlockResult> GetBlockAsync(uint blockNum, CancellationToken cancellationToken = default) =>
        GetBlockAsync(blockNum.ToString(CultureInfo.InvariantCulture), cancellationToken);

    public Task<GetBlockInfoResult> GetBlockInfoAsync(uint blockNum, CancellationToken cancellationToken = default) =>
        ReadAsync("get_block_info", Body(new GetBlockInfoRequest(blockNum), Json.GetBlockInfoRequest),
            Json.GetBlockInfoResult, cancellationToken);

    public Task<GetBlockHeaderStateResult> GetBlockHeaderStateAsync(string blockNumOrId, CancellationToken cancellationToken = default) =>
        ReadAsync("get_block_header_state", Body(new GetBlockRequest(CheckBlockNumOrId(blockNumOrId)), Json.GetBlockRequest),
            Json.GetBlockHeaderStateResult, cancellationToken);

    public Task<GetProducerScheduleResult> GetProducerScheduleAsync(CancellationToken cancellationToken = default) =>
        ReadAsync("get_producer_schedule", NoParameters, Json.GetProducerScheduleResult, cancellationToken);

    /// <summary>Spring only: the finalizer policies and each finalizer's latest vote (a Leap node answers 404).</summary>
    public Task<GetFinalizerInfoResult> GetFinalizerInfoAsync(CancellationToken cancellationToken = default) =>
        ReadAsync("get_finalizer_info", NoParameters, Json.GetFinalizerInfoResult, cancellationToken);

    /// <summary>Producers in vote order from <paramref name="lowerBound"/> (a name; empty = from the top).</summary>
    public Task<GetProducersResult> GetProducersAsync(string lowerBound = "", uint limit = 50, CancellationToken cancellationToken = default) =>
        ReadAsync("get_producers", Body(new GetProducersRequest(Json: true, lowerBound, limit), Json.GetProducersRequest),
            Json.GetProducersResult, cancellationToken);

    /// <summary>
    /// Rows of <c>eosio</c>/<c>eosio</c>/<c>producers</c> in name order; page with the result's <c>next_key</c> as the
    /// next <paramref name="lowerBound"/> (a name or a decimal key).
    /// </summary>
    public Task<GetTableRowsResult<ProducerRowJson>> GetProducerRowsAsync(string lowerBound = "", uint limit = 100, CancellationToken cancellationToken = default) =>
        ReadAsync("get_table_rows",
            Body(new GetTableRowsRequest(Json: true, "eosio", "eosio", "producers", lowerBound, Limit: limit), Json.GetTableRowsRequest),
            Json.GetTableRowsResultProducerRowJson, cancellationToken);

    /// <summary>Any table; rows stay raw JSON (objects, hex strings or <c>{data, payer}</c>).</summary>
    public Task<GetTableRowsResult<JsonElement>> GetTableRowsAsync(GetTableRowsRequest request, CancellationToken cancellationToken = default) =>
        ReadAsync("get_table_rows", Body(request, Json.GetTableRowsRequest), Json.GetTableRowsResultJsonElement, cancellationToken);

    /// <summary>
    /// Rows of <c>eosio</c>/<c>eosio</c>/<c>finkeys</c> registered by <paramref name="finalizer"/>: its secondary index
    /// <c>byfinname</c> (<c>index_position</c> 2, <c>key_type</c> name) bounded below and above by the name.
    /// </summary>
    public Task<GetTableRowsResult<FinalizerKeyRowJson>> GetFinalizerKeyRowsAsync(string finalizer, uint limit = MaxTableRows, CancellationToken cancellationToken = default) =>
        ReadAsync("get_table_rows",
            Body(new GetTableRowsRequest(Json: true, "eosio", "eosio", "finkeys", finalizer, finalizer, limit, KeyType: "name", IndexPosition: "2"), Json.GetTableRowsRequest),
            Json.GetTableRowsResultFinalizerKeyRowJson, cancellationToken);

    /// <summary>The row of <c>eosio</c>/<c>eosio</c>/<c>finalizers</c> for <paramref name="finalizer"/> (primary key, bounded by the name), if any.</summary>
    public Task<GetTableRowsResult<FinalizerRowJson>> GetFinalizerRowsAsync(string finalizer, CancellationToken cancellationToken = default) =>
        ReadAsync("get_table_rows",
            Body(new GetTableRowsRequest(Json: true, "eosio", "eosio", "finalizers", finalizer, finalizer, 1, KeyType: "name"), Json.GetTableRowsRequest),
            Json.GetTableRowsResultFinalizerRowJson, cancellationToken);

    /// <summary>
    /// The Savanna finalizer keys the system contract registers for <paramref name="finalizer"/> and the active one
    /// (protocol.md §3.5): its <c>finkeys</c> rows, then its <c>finalizers</c> row. The two answers must agree — the
    /// active key id among the rows with the same bytes, the count the rows' — and hold only that finalizer's rows with
    /// well-formed keys; otherwise (a node that ignored the bounds, or the two reads saw different blocks) a
    /// <see cref="FormatException"/> says what differs. A finalizer without keys has neither rows nor a row.
    /// </summary>
    public async Task<FinalizerKeyRegistration> GetFinalizerKeysAsync(string finalizer, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(finalizer);
        var keys = await GetFinalizerKeyRowsAsync(finalizer, MaxTableRows, cancellationToken).ConfigureAwait(false);
        var rows = await GetFinalizerRowsAsync(finalizer, cancellationToken).ConfigureAwait(false);
        return FinalizerKeys(finalizer, keys, rows);
    }

    /// <summary>The checks of <see cref="GetFinalizerKeysAsync"/> on the two answers.</summary>
    public static FinalizerKeyRegistration FinalizerKeys(string finalizer, GetTableRowsResult<FinalizerKeyRowJson> keys, GetTableRowsResult<FinalizerRowJson> finalizers)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(finalizers);
        string Problem(string what) => $"the finalizer keys of {finalizer} on chain (eosio finkeys/finalizers): {what}";
        if (keys.More)
        {
            throw new FormatException(Problem($"finkeys has more than {keys.Rows.Count} rows for it (more: true); they cannot be read in one answer"));
        }

        foreach (var row in keys.Rows)
        {
            if (row.FinalizerName != finalizer)
            {
                throw new FormatException(Problem($"finkeys row {row.Id} belongs to {row.FinalizerName}: the node did not keep to the byfinname bounds"));
            }

            if (BlsPublicKey.Validate(row.FinalizerKey) is { } error)
            {
                throw new FormatException(Problem($"finkeys row {row.Id} holds '{row.FinalizerKey}', not a BLS public key: {error}"));
            }

            if (!Hex.TryDecode(row.FinalizerKeyBinary, out _))
            {
                throw new FormatException(Problem($"finkeys row {row.Id}'s finalizer_key_binary is not hex"));
            }
        }

        if (keys.Rows.Select(r => r.Id).Distinct().Count() != keys.Rows.Count)
        {
            throw new FormatException(Problem("finkeys lists one id twice"));
        }

        var ordered = keys.Rows.OrderBy(r => r.Id).ToList();
        var own = finalizers.Rows.Where(r => r.FinalizerName == finalizer).ToList();
        if (own.Count != finalizers.Rows.Count || own.Count > 1)
        {
            throw new FormatException(Problem($"finalizers answered {finalizers.Rows.Count} rows ({string.Join(", ", finalizers.Rows.Select(r => r.FinalizerName))}) where at most its own one belongs"));
        }

        if (own.Count == 0)
        {
            return ordered.Count == 0
                ? new FinalizerKeyRegistration(finalizer, [], null)
                : throw new FormatException(Problem($"finkeys lists {ordered.Count} keys but finalizers has no row (the two reads saw different blocks?)"));
        }

        var info = own[0];
        var active = ordered.FirstOrDefault(r => r.Id == info.ActiveKeyId)
            ?? throw new FormatException(Problem($"finalizers names active key id {info.ActiveKeyId}, which is not among the finkeys rows ({string.Join(", ", ordered.Select(r => r.Id))})"));
        if (!string.Equals(active.FinalizerKeyBinary, info.ActiveKeyBinary, StringComparison.OrdinalIgnoreCase))
        {
            throw new FormatException(Problem($"finalizers' active_key_binary is not the bytes of finkeys row {active.Id}"));
        }

        if (info.FinalizerKeyCount != ordered.Count)
        {
            throw new FormatException(Problem($"finalizers counts {info.FinalizerKeyCount} keys, finkeys lists {ordered.Count} (the two reads saw different blocks?)"));
        }

        return new FinalizerKeyRegistration(finalizer, ordered, active);
    }

    public Task<GetAccountResult> GetAccountAsync(string accountName, CancellationToken cancellationToken = default) =>
        ReadAsync("get_account", Body(new GetAccountRequest(accountName), Json.GetAccountRequest),
            Json.GetAccountResult, cancellationToken);

    public Task<GetRawAbiResult> GetRawAbiAsync(string accountName, string? abiHash = null, CancellationToken cancellationToken = default) =>
        ReadAsync("get_raw_abi", Body(new GetRawAbiRequest(accountName, abiHash), Json.GetRawAbiRequest),
            Json.GetRawAbiResult, cancellationToken);

    public Task<GetAbiResult> GetAbiAsync(string accountName, CancellationToken cancellationToken = default) =>
        ReadAsync("get_abi", Body(new GetAbiRequest(accountName), Json.GetAbiRequest), Json.GetAbiResult, cancellationToken);

    public Task<GetRequiredKeysResult> GetRequiredKeysAsync(
        TransactionJson transaction, IEnumerable<string> availableKeys, CancellationToken cancellationToken = default) =>
        ReadAsync("get_required_keys",
            Body(new GetRequiredKeysRequest(transaction, [.. availableKeys]), Json.GetRequiredKeysRequest),
            Json.GetRequiredKeysResult, cancellationToken);

    /// <summary>Pushes a signed transaction (trace as a tree). Never retried.</summary>
    public Task<PushTransactionResult> PushTransactionAsync(PackedTransaction transaction, CancellationToken cancellationToken = default) =>
        SendOnceAsync("push_transaction", Body(transaction, Json.PackedTransaction), Json.PushTransactionResult, cancellationToken);

    /// <summary>Sends a signed transaction (flat trace). Never retried.</summary>
    public Task<PushTransactionResult> SendTransactionAsync(PackedTransaction transaction, CancellationToken cancellationToken = default) =>
        SendOnceAsync("send_transaction", Body(transaction, Json.PackedTransaction), Json.PushTransactionResult, cancellationToken);

    /// <summary>Sends a signed transaction; a failure may come back as a 202 trace with <c>except</c> set. Never retried.</summary>
    public Task<PushTransactionResult> SendTransaction2Async(SendTransaction2Request request, CancellationToken cancellationToken = default) =>
        SendOnceAsync("send_transaction2", Body(request, Json.SendTransaction2Request), Json.PushTransactionResult, cancellationToken);

    private static byte[] Body<T>(T request, JsonTypeInfo<T> type) => JsonSerializer.SerializeToUtf8Bytes(request, type);

    private static string CheckBlockNumOrId(string blockNumOrId)
    {
        ArgumentNullException.ThrowIfNull(blockNumOrId);
        if (blockNumOrId.Length is 0 or > 64 || !blockNumOrId.All(char.IsAsciiHexDigit))
        {
            throw new ArgumentException(
                $"block_num_or_id must be a decimal block number or a 64-hex block id (1 to 64 hex digits), got \"{blockNumOrId}\"",
                nameof(blockNumOrId));
        }

        return blockNumOrId;
    }

    private async Task<T> ReadAsync<T>(string endpoint, byte[] body, JsonTypeInfo<T> responseType, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await SendOnceAsync(endpoint, body, responseType, cancellationToken).ConfigureAwait(false);
            }
            catch (ChainApiException e) when (e.IsTransient && attempt < readRetries)
            {
                await Task.Delay(retryDelay, time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<T> SendOnceAsync<T>(string endpoint, byte[] body, JsonTypeInfo<T> responseType, CancellationToken cancellationToken)
    {
        using var limit = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, limit.Token);
        HttpStatusCode status;
        byte[] content;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(chainApiBase, endpoint))
            {
                Content = new ByteArrayContent(body) { Headers = { ContentType = JsonMediaType } },
            };
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            status = response.StatusCode;
            content = await ReadBoundedAsync(endpoint, response, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e)
        {
            // Report the caller's own token when it cancelled; otherwise our limit (or HttpClient.Timeout) fired.
            cancellationToken.ThrowIfCancellationRequested();
            throw new ChainApiTimeoutException(endpoint, timeout, e);
        }
        catch (HttpRequestException e)
        {
            throw new ChainApiConnectionException(endpoint, e.Message, e);
        }
        catch (IOException e)
        {
            throw new ChainApiConnectionException(endpoint, $"the response could not be read ({e.Message})", e);
        }

        return Interpret(endpoint, status, content, responseType);
    }

    /// <summary>The body, if it is no longer than <see cref="ChainApiOptions.MaxResponseBytes"/>; a longer one is not read on.</summary>
    private async Task<byte[]> ReadBoundedAsync(string endpoint, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var tooLong = $"the body is longer than the {maxResponseBytes} bytes an answer may have";
        if (response.Content.Headers.ContentLength > maxResponseBytes)
        {
            throw new ChainApiMalformedResponseException(endpoint, response.StatusCode, tooLong, "(not read)", null);
        }

        using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream((int)(response.Content.Headers.ContentLength ?? 0));
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxResponseBytes)
            {
                throw new ChainApiMalformedResponseException(endpoint, response.StatusCode, tooLong, Excerpt(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)), null);
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static T Interpret<T>(string endpoint, HttpStatusCode status, byte[] content, JsonTypeInfo<T> responseType)
    {
        if ((int)status is >= 200 and < 300)
        {
            return Parse(endpoint, status, content, responseType, $"not a {endpoint} response");
        }

        var error = Parse(endpoint, status, content, Json.ChainErrorBody, "not a nodeos error body");
        throw new ChainApiException(endpoint, status, error);
    }

    private static T Parse<T>(string endpoint, HttpStatusCode status, byte[] content, JsonTypeInfo<T> type, string problem)
    {
        try
        {
            return JsonSerializer.Deserialize(content, type)
                ?? throw new ChainApiMalformedResponseException(endpoint, status, $"{problem}: the body is null", Excerpt(content), null);
        }
        catch (JsonException e)
        {
            var where = e.Path is null || e.Message.Contains("Path:", StringComparison.Ordinal) ? string.Empty : $" at {e.Path}";
            throw new ChainApiMalformedResponseException(endpoint, status, $"{problem}{where}: {e.Message}", Excerpt(content), e);
        }
    }

    /// <summary>The start of a body on one line, for error messages.</summary>
    private static string Excerpt(ReadOnlySpan<byte> content) => content.IsEmpty
        ? "(empty body)"
        : NodeText.Bounded(Encoding.UTF8.GetString(content[..Math.Min(content.Length, NodeText.MaxLength * 4)]));
}
