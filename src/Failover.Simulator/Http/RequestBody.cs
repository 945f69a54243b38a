using System.Globalization;
using System.Text.Json;
using Failover.Antelope;
using Failover.Antelope.Transactions;
using Failover.Simulator.Chain;

namespace Failover.Simulator.Http;

/// <summary>
/// A request body read the way nodeos's fc variants read it: numbers and booleans may come as strings, and
/// omitted members take their defaults. Anything unreadable is <c>invalid_http_request</c> (400).
/// </summary>
internal sealed class RequestBody
{
    private readonly JsonElement _root;

    private RequestBody(JsonElement root) => _root = root;

    public static RequestBody? Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw ChainErrors.InvalidRequest("Unable to parse valid input from POST body: expected a JSON object");
            }

            return document.RootElement.EnumerateObject().Any() ? new RequestBody(document.RootElement.Clone()) : null;
        }
        catch (JsonException e)
        {
            throw ChainErrors.InvalidRequest($"Unable to parse valid input from POST body: {e.Message}");
        }
    }

    public static RequestBody Required(string text) => Parse(text) ?? throw ChainErrors.InvalidRequest("A Request body is required");

    /// <summary>A nested object, e.g. send_transaction2's <c>transaction</c>.</summary>
    public RequestBody Object(string name) =>
        _root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? new RequestBody(value) : throw Invalid(name, "an object");

    public JsonElement Root => _root;

    public string String(string name, string? fallback = null)
    {
        if (!_root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return fallback ?? throw Missing(name);
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!,
            JsonValueKind.Number => value.GetRawText(),
            _ => throw Invalid(name, "a string"),
        };
    }

    public ulong UInt(string name, ulong? fallback = null)
    {
        if (!_root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return fallback ?? throw Missing(name);
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetUInt64(out var number))
        {
            return number;
        }

        return value.ValueKind == JsonValueKind.String && ulong.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out number)
            ? number
            : throw Invalid(name, "an unsigned integer");
    }

    public bool Bool(string name, bool fallback)
    {
        if (!_root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return fallback;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number => value.GetRawText() != "0",
            JsonValueKind.String when bool.TryParse(value.GetString(), out var parsed) => parsed,
            _ => throw Invalid(name, "a boolean"),
        };
    }

    public Name Name(string name, string? fallback = null)
    {
        var text = String(name, fallback);
        return Antelope.Name.TryParse(text, out var parsed, out var error) ? parsed : throw Invalid(name, $"a name ({error})");
    }

    /// <summary>A push body: <c>{signatures, compression (0|1|"none"|"zlib"), packed_context_free_data, packed_trx}</c>.</summary>
    public PackedTransaction PackedTransaction()
    {
        if (!_root.TryGetProperty("signatures", out var signatures) || signatures.ValueKind != JsonValueKind.Array)
        {
            throw ChainErrors.InvalidRequest("Missing field 'signatures' (an array of signatures)");
        }

        var compression = _root.TryGetProperty("compression", out var c) ? c : throw ChainErrors.InvalidRequest("Missing field 'compression'");
        var compressionValue = compression.ValueKind switch
        {
            JsonValueKind.Number when compression.TryGetInt32(out var n) && n is 0 or 1 => n,
            JsonValueKind.String when compression.GetString() is "none" or "0" => 0,
            JsonValueKind.String when compression.GetString() is "zlib" or "1" => 1,
            _ => throw ChainErrors.InvalidRequest($"Invalid compression {compression.GetRawText()}: expected none, zlib, 0 or 1"),
        };
        return new PackedTransaction(
            [.. signatures.EnumerateArray().Select(s => s.ValueKind == JsonValueKind.String ? s.GetString()! : throw ChainErrors.InvalidRequest("signatures must be strings"))],
            compressionValue,
            String("packed_context_free_data", string.Empty),
            String("packed_trx"));
    }

    /// <summary>The actions (with their authorizations) of a JSON transaction, e.g. get_required_keys's.</summary>
    public static IReadOnlyList<ChainAction> Actions(JsonElement transaction)
    {
        if (transaction.ValueKind != JsonValueKind.Object)
        {
            throw ChainErrors.InvalidRequest("Missing field 'transaction' (an object)");
        }

        var actions = new List<ChainAction>();
        foreach (var list in new[] { "context_free_actions", "actions" })
        {
            if (!transaction.TryGetProperty(list, out var items) || items.ValueKind != JsonValueKind.Array)
            {
                continue;
            }

            foreach (var item in items.EnumerateArray())
            {
                var action = new RequestBody(item);
                var authorization = item.TryGetProperty("authorization", out var auths) && auths.ValueKind == JsonValueKind.Array
                    ? auths.EnumerateArray().Select(a => new RequestBody(a)).Select(a => new PermissionLevel(a.Name("actor"), a.Name("permission"))).ToList()
                    : [];
                actions.Add(new ChainAction(action.Name("account"), action.Name("name"), authorization, []));
            }
        }

        return actions;
    }

    private static ChainException Missing(string name) => ChainErrors.InvalidRequest($"Missing field '{name}'");

    private static ChainException Invalid(string name, string expected) => ChainErrors.InvalidRequest($"Field '{name}' must be {expected}");
}
