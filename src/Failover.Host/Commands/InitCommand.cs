using System.CommandLine;
using System.Text;
using System.Text.Json;
using Failover.Antelope;
using Failover.Antelope.SystemContract;
using Failover.Service.Configuration;
using Microsoft.Extensions.Configuration;

namespace Failover.Host.Commands;

/// <summary>
/// <c>failover init</c>: writes a commented configuration from flags, asking for the four without a default that are
/// not given (checked by the same loader <c>failover run</c> uses before it is written), and prints the <c>updateauth</c> + <c>linkauth</c> actions that create the dedicated
/// permission — held by the signing key's public key, linked to <c>regproducer</c>, <c>regproducer2</c> and
/// <c>actfinkey</c> only — for the producer to sign with its <c>active</c> key; or, given that key's file and the TaPoS
/// fields, signs them offline as one transaction, and with <c>--push</c> sends it to a node, once.
/// </summary>
internal static class InitCommand
{
    public static Command Create(CliConsole console)
    {
        // The four without a default are asked for, one line each, when not given.
        var producer = new Option<string?>("--producer") { Description = "The producer account (asked for when not given)." };
        var endpoints = new Option<string[]>("--endpoint") { Description = "A chain API endpoint (repeat; three or more from different operators; asked for when not given)." };
        var dataCenters = new Option<string[]>("--data-center")
        {
            Description = "NAME=SIGNING_KEY[,FINALIZER_KEY] in priority order (repeat): the public keys of that data center's producing node (asked for when not given).",
        };
        var keyFile = new Option<FileInfo?>("--key-file") { Description = "The dedicated permission's private key file (owner-only); only its public key is used here (asked for when not given)." };
        var permission = new Option<string>("--permission") { Description = "The dedicated permission's name.", DefaultValueFactory = _ => "failover" };
        var consensus = new Option<string>("--consensus") { Description = "savanna or legacy.", DefaultValueFactory = _ => "savanna" };
        var store = new Option<string>("--store") { Description = "The event store.", DefaultValueFactory = _ => "sqlite:/var/lib/failover/failover.db" };
        var observerId = new Option<string>("--observer-id") { Description = "This observer's id (unique per running service).", DefaultValueFactory = _ => "obs-1" };
        var output = new Option<FileInfo>("--out") { Description = "Where to write the configuration.", DefaultValueFactory = _ => new FileInfo("failover.json") };
        var signKeyFile = new Option<FileInfo?>("--sign-key-file")
        {
            Description = "The producer's active private key file (owner-only): sign the actions offline as one transaction (needs --chain-id, --ref-block-id, --expiration).",
        };
        var chainId = new Option<string?>("--chain-id") { Description = "With --sign-key-file: the chain id (64 hex digits)." };
        var refBlockId = new Option<string?>("--ref-block-id") { Description = "With --sign-key-file: the block the transaction references (TaPoS), e.g. the last irreversible block." };
        var expiration = new Option<string?>("--expiration") { Description = "With --sign-key-file: expiration, UTC, written YYYY-MM-DDTHH:MM:SS." };
        var push = new Option<string?>("--push") { Description = "With --sign-key-file: a node URL to send the signed transaction to, once. Without it nothing is sent." };
        var timeout = new Option<string?>("--timeout") { Description = "Seconds to wait for the node's answer to --push (default 10)." };
        var command = new Command("init", "Writes a commented configuration and prints — or signs offline, and pushes on request — the updateauth + linkauth actions that create the dedicated signing permission.")
        {
            producer, endpoints, dataCenters, keyFile, permission, consensus, store, observerId, output, signKeyFile, chainId, refBlockId, expiration, push, timeout,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(console, new InitRequest(
            parse.GetValue(producer) ?? Ask(console, "Producer account (e.g. myproducer): ") ?? string.Empty,
            parse.GetValue(endpoints) is { Length: > 0 } given ? given : Words(Ask(console, "Chain API endpoints, separated by spaces (three or more, from different operators): ")),
            parse.GetValue(dataCenters) is { Length: > 0 } centers ? centers : Words(Ask(console, "Data centers in priority order, NAME=SIGNING_KEY[,FINALIZER_KEY] separated by spaces: ")),
            parse.GetValue(keyFile) ?? (Ask(console, "The dedicated permission's private key file (owner-only): ") is { Length: > 0 } path ? new FileInfo(path) : null),
            parse.GetValue(permission)!, parse.GetValue(consensus)!, parse.GetValue(store)!, parse.GetValue(observerId)!, parse.GetValue(output)!,
            new SigningOptions(parse.GetValue(signKeyFile), parse.GetValue(chainId), parse.GetValue(refBlockId), parse.GetValue(expiration), parse.GetValue(push), parse.GetValue(timeout))),
            cancellationToken));
        return command;
    }

    /// <summary>Asks on the error stream (standard output carries the result) and reads one line; null at the end of the input.</summary>
    private static string? Ask(CliConsole console, string question)
    {
        console.Error.Write(question);
        return console.In.ReadLine()?.Trim();
    }

    private static string[] Words(string? line) => line?.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries) ?? [];

    private sealed record InitRequest(
        string Producer, string[] Endpoints, string[] DataCenters, FileInfo? KeyFile, string Permission, string Consensus, string Store, string ObserverId, FileInfo Output,
        SigningOptions Signing);

    /// <summary>The raw text of the options that sign (and push) the permission's transaction.</summary>
    private sealed record SigningOptions(FileInfo? KeyFile, string? ChainId, string? RefBlockId, string? Expiration, string? Push, string? Timeout);

    /// <summary>What signs the permission's transaction, validated: the producer's active key and the TaPoS fields.</summary>
    private sealed record OfflineSigning(PrivateKey ActiveKey, Checksum256 ChainId, Checksum256 RefBlockId, DateTimeOffset Expiration, PushTarget? Push);

    private static async Task<int> RunAsync(CliConsole console, InitRequest request, CancellationToken cancellationToken)
    {
        if (request.Output.Exists)
        {
            console.Error.WriteLine($"--out: {request.Output.FullName} exists; init does not overwrite a configuration.");
            return ExitCodes.Usage;
        }

        var missing = new List<string>();
        if (request.Producer.Length == 0)
        {
            missing.Add("--producer (the producer account)");
        }

        if (request.Endpoints.Length == 0)
        {
            missing.Add("--endpoint (a chain API URL, once per endpoint)");
        }

        if (request.DataCenters.Length == 0)
        {
            missing.Add("--data-center (NAME=SIGNING_KEY[,FINALIZER_KEY], once per data center)");
        }

        if (request.KeyFile is null)
        {
            missing.Add("--key-file (the dedicated permission's private key file)");
        }

        if (missing.Count > 0)
        {
            console.Error.WriteLine($"init: {missing.Count} value(s) neither given nor answered; nothing was written:");
            foreach (var value in missing)
            {
                console.Error.WriteLine("  - " + value);
            }

            return ExitCodes.Usage;
        }

        if (!KeyFiles.TryRead(request.KeyFile!.FullName, TextReader.Null, out var key, out var keyProblem))
        {
            console.Error.WriteLine(keyProblem);
            return ExitCodes.Usage;
        }

        var signingProblems = new List<string>();
        var signing = ValidateSigning(request.Signing, key, signingProblems);
        if (signingProblems.Count > 0)
        {
            console.Error.WriteLine($"init: {signingProblems.Count} problem(s); nothing was written:");
            foreach (var problem in signingProblems)
            {
                console.Error.WriteLine("  - " + problem);
            }

            return ExitCodes.Usage;
        }

        var text = Render(request);
        // Checked as `failover run` would load it, before anything is written.
        using var written = new MemoryStream(Encoding.UTF8.GetBytes(text));
        var loaded = FailoverSettingsLoader.Load(new ConfigurationBuilder().AddJsonStream(written).Build());
        if (loaded.Settings is null)
        {
            console.Error.WriteLine($"The configuration these flags give has {loaded.Problems.Count} problem(s); nothing was written:");
            foreach (var problem in loaded.Problems)
            {
                console.Error.WriteLine("  - " + problem);
            }

            return ExitCodes.Usage;
        }

        File.WriteAllText(request.Output.FullName, text);
        console.Out.WriteLine($"Wrote {request.Output.FullName}. Check it against the chain: failover check --config {request.Output.FullName}");
        console.Out.WriteLine();
        var actions = SystemActions.DedicatedPermission(Name.Parse(request.Producer), Name.Parse(request.Permission), key!.PublicKey);
        if (signing is null)
        {
            console.Out.WriteLine($"Sign these actions with {request.Producer}@active (cleos, Anchor, or your signer) and push them, once:");
            console.Out.WriteLine(ActionsJson(actions));
            return ExitCodes.Ok;
        }

        var transaction = Antelope.Transactions.Transaction.Create(signing.RefBlockId, signing.Expiration, actions);
        var packed = Antelope.Transactions.TransactionSigner.Sign(transaction, signing.ChainId, [signing.ActiveKey]);
        if (signing.Push is null)
        {
            console.Out.WriteLine($"Signed with the key of --sign-key-file as {request.Producer}@active; push its push_body once (failover init … --push URL, or cleos push transaction):");
            console.Out.WriteLine(TransactionJsonWriter.Signed(signing.ChainId, transaction, packed, pushed: null));
            return ExitCodes.Ok;
        }

        var outcome = await TxPush.SendAsync(signing.Push, packed, transaction.Id.ToString(), cancellationToken).ConfigureAwait(false);
        console.Out.WriteLine(TransactionJsonWriter.Signed(signing.ChainId, transaction, packed, outcome.Accepted));
        if (outcome.Failure is not null)
        {
            console.Error.WriteLine(outcome.Failure);
            return ExitCodes.Failure;
        }

        return ExitCodes.Ok;
    }

    /// <summary>Null without <c>--sign-key-file</c> (the actions are printed unsigned); every problem is listed.</summary>
    private static OfflineSigning? ValidateSigning(SigningOptions options, PrivateKey? dedicatedKey, List<string> problems)
    {
        if (options.KeyFile is null)
        {
            var stray = new[] { ("--chain-id", options.ChainId), ("--ref-block-id", options.RefBlockId), ("--expiration", options.Expiration), ("--push", options.Push), ("--timeout", options.Timeout) }
                .Where(o => o.Item2 is not null).Select(o => o.Item1).ToList();
            if (stray.Count > 0)
            {
                problems.Add($"{string.Join(", ", stray)} appl{(stray.Count == 1 ? "ies" : "y")} only with --sign-key-file (the producer's active key).");
            }

            return null;
        }

        var chainId = RotationRequest.Hash(options.ChainId, "--chain-id", problems);
        var refBlockId = RotationRequest.Hash(options.RefBlockId, "--ref-block-id", problems);
        var expiration = RotationRequest.ParseExpiration(options.Expiration, problems);
        var push = PushTarget.Validate(options.Push, options.Timeout, problems);
        PrivateKey? activeKey = null;
        if (!KeyFiles.TryRead(options.KeyFile.FullName, TextReader.Null, out activeKey, out var keyProblem))
        {
            problems.Add("--sign-key-file: " + keyProblem);
        }
        else if (dedicatedKey is not null && activeKey.PublicKey == dedicatedKey.PublicKey)
        {
            // The dedicated permission exists so that the service's key cannot do what active can.
            problems.Add("--sign-key-file holds the same key as --key-file: the dedicated permission needs a key of its own, not the active key.");
        }

        return problems.Count > 0 ? null : new OfflineSigning(activeKey!, chainId!.Value, refBlockId!.Value, expiration!.Value, push);
    }

    /// <summary>The configuration as JSON with comments (the configuration loader skips them).</summary>
    private static string Render(InitRequest request)
    {
        static string J(string value) => $"\"{JsonEncodedText.Encode(value)}\"";
        var savanna = request.Consensus == "savanna";
        var dataCenters = request.DataCenters.Select((entry, i) =>
        {
            var (name, keys) = entry.Split('=', 2) is [var n, var k] ? (n, k.Split(',', 2)) : (entry, [string.Empty]);
            var finalizer = keys.Length > 1 ? $", \"FinalizerKey\": {J(keys[1])}" : string.Empty;
            return $"      {{ \"Name\": {J(name)}, \"Priority\": {i + 1}, \"SigningKey\": {J(keys[0])}{finalizer} }}";
        });
        return $$"""
            // Failover's configuration, written by `failover init`. Every key: README.md ("Running the service").
            {
              "Failover": {
                // Names this observer's stream: unique per running service (several may share a PostgreSQL store).
                "ObserverId": {{J(request.ObserverId)}},
                // sqlite:PATH (one observer) or postgres:CONNECTION STRING (observers in several data centers).
                "Store": {{J(request.Store)}},
                "Chain": {
                  // {{(savanna ? "Savanna: every data center needs its FinalizerKey; a rotation activates it (actfinkey)." : "Legacy: no finalizers.")}}
                  "Consensus": {{J(request.Consensus)}},
                  // A strict majority must agree with the chain the service follows before it rotates: give three or more.
                  "Endpoints": [ {{string.Join(", ", request.Endpoints.Select(J))}} ]
                },
                "Producer": {{J(request.Producer)}},
                // In priority order: where signing moves when the one in force stops producing.
                "DataCenters": [
            {{string.Join(",\n", dataCenters)}}
                ],
                // The dedicated permission (see the actions `failover init` printed) and its key file, readable by its owner only.
                "Signer": { "Permission": {{J(request.Permission)}}, "KeyFile": {{J(request.KeyFile!.FullName)}} }
              }
            }

            """;
    }

    private static string ActionsJson(IReadOnlyList<Antelope.Transactions.ChainAction> actions)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            TransactionJsonWriter.WriteActions(json, actions);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
