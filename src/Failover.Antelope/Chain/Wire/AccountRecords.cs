using System.Text.Json;
using System.Text.Json.Serialization;

namespace Failover.Antelope.Chain.Wire;

// Wire records of get_account, get_raw_abi, get_abi and get_required_keys (protocol.md §1.7, §1.9, §1.10).

/// <summary>
/// Response of <c>get_account</c>. Resource objects nobody here interprets (<c>total_resources</c>, <c>voter_info</c>,
/// …) are kept as raw JSON; nodeos writes them as explicit nulls when absent. <c>core_liquid_balance</c> sits between
/// required members in nodeos's key order, hence the negative <see cref="JsonPropertyOrderAttribute"/> values.
/// </summary>
public sealed record GetAccountResult(
    [property: JsonPropertyOrder(-2)] string AccountName,
    [property: JsonPropertyOrder(-2)] uint HeadBlockNum,
    [property: JsonPropertyOrder(-2)] DateTimeOffset HeadBlockTime,
    [property: JsonPropertyOrder(-2)] bool Privileged,
    [property: JsonPropertyOrder(-2)] DateTimeOffset LastCodeUpdate,
    [property: JsonPropertyOrder(-2)] DateTimeOffset Created,
    long RamQuota,
    long NetWeight,
    long CpuWeight,
    AccountResourceLimit NetLimit,
    AccountResourceLimit CpuLimit,
    long RamUsage,
    IReadOnlyList<PermissionInfo> Permissions,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] JsonElement? TotalResources,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] JsonElement? SelfDelegatedBandwidth,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] JsonElement? RefundRequest,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] JsonElement? VoterInfo,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] JsonElement? RexInfo,
    [property: JsonPropertyOrder(-1)] string? CoreLiquidBalance = null,
    AccountResourceLimit? SubjectiveCpuBillLimit = null,
    IReadOnlyList<LinkedActionJson>? EosioAnyLinkedActions = null);

/// <summary>NET or CPU usage of an account (<c>max</c> may exceed 2^32 and then arrives as a string).</summary>
public sealed record AccountResourceLimit(
    long Used,
    long Available,
    long Max,
    DateTimeOffset? LastUsageUpdateTime = null,
    long? CurrentUsed = null);

/// <summary>
/// A permission of an account. <see cref="LinkedActions"/> (Leap 4+) lists the contract actions linked to it;
/// an entry without <c>action</c> links the whole contract.
/// </summary>
public sealed record PermissionInfo(
    string PermName,
    string Parent,
    AccountAuthority RequiredAuth,
    IReadOnlyList<LinkedActionJson>? LinkedActions = null);

public sealed record LinkedActionJson(string Account, string? Action = null);

/// <summary>An account authority: satisfied when the weights of keys, accounts and waits reach the threshold.</summary>
public sealed record AccountAuthority(
    uint Threshold,
    IReadOnlyList<AuthorityKey> Keys,
    IReadOnlyList<PermissionLevelWeight> Accounts,
    IReadOnlyList<WaitWeight> Waits);

public sealed record PermissionLevelWeight(ActionAuthorization Permission, ushort Weight);

public sealed record WaitWeight(uint WaitSec, ushort Weight);

/// <summary>
/// Response of <c>get_raw_abi</c>. <see cref="Abi"/> is the base64 of the binary ABI (omitted when the caller's
/// <c>abi_hash</c> matched); use <see cref="DecodeAbi"/> to get the bytes.
/// </summary>
public sealed record GetRawAbiResult(string AccountName, string CodeHash, string AbiHash, string? Abi = null)
{
    /// <summary>
    /// The binary ABI, or null when the response carried none. nodeos's base64 encoder pads inconsistently
    /// (e.g. <c>"…AA==="</c>), so padding is ignored and recomputed.
    /// </summary>
    /// <exception cref="FormatException">The text is not base64.</exception>
    public byte[]? DecodeAbi()
    {
        if (Abi is null)
        {
            return null;
        }

        var unpadded = Abi.TrimEnd('=');
        var padded = unpadded.PadRight(unpadded.Length + ((4 - (unpadded.Length % 4)) % 4), '=');
        try
        {
            return Convert.FromBase64String(padded);
        }
        catch (FormatException e)
        {
            throw new FormatException($"get_raw_abi for '{AccountName}': abi is not base64 ({e.Message})", e);
        }
    }
}

/// <summary>Response of <c>get_abi</c>: the decoded ABI, or null when the account has none.</summary>
public sealed record GetAbiResult(string AccountName, AbiDefinition? Abi = null);

/// <summary>An ABI (<c>abi_def</c>) in nodeos JSON; members absent from older ABI versions are optional.</summary>
public sealed record AbiDefinition(
    string Version,
    IReadOnlyList<AbiTypeDefinition> Types,
    IReadOnlyList<AbiStruct> Structs,
    IReadOnlyList<AbiAction> Actions,
    IReadOnlyList<AbiTable> Tables,
    IReadOnlyList<AbiClause>? RicardianClauses = null,
    IReadOnlyList<AbiErrorMessage>? ErrorMessages = null,
    IReadOnlyList<JsonElement>? AbiExtensions = null,
    IReadOnlyList<AbiVariant>? Variants = null,
    IReadOnlyList<AbiActionResult>? ActionResults = null);

public sealed record AbiTypeDefinition(string NewTypeName, string Type);

/// <summary>A struct; a field type ending in <c>$</c> is a binary extension (e.g. <c>producer_authority</c>).</summary>
public sealed record AbiStruct(string Name, string Base, IReadOnlyList<AbiField> Fields);

public sealed record AbiField(string Name, string Type);

public sealed record AbiAction(string Name, string Type, string RicardianContract);

public sealed record AbiTable(
    string Name,
    string IndexType,
    IReadOnlyList<string> KeyNames,
    IReadOnlyList<string> KeyTypes,
    string Type);

public sealed record AbiClause(string Id, string Body);

public sealed record AbiErrorMessage(ulong ErrorCode, string ErrorMsg);

public sealed record AbiVariant(string Name, IReadOnlyList<string> Types);

public sealed record AbiActionResult(string Name, string ResultType);

/// <summary>Response of <c>get_required_keys</c>: the subset of the offered keys needed to sign (legacy <c>EOS…</c> form).</summary>
public sealed record GetRequiredKeysResult(IReadOnlyList<string> RequiredKeys);
