using System.CommandLine;
using Failover.Antelope;
using Failover.Antelope.SystemContract;
using Failover.Antelope.Transactions;

namespace Failover.Host.Commands;

/// <summary>
/// <c>failover tx rotate</c>: builds and signs, offline, the transaction that moves a producer to a new signing key
/// (and optionally activates a finalizer key), and prints it with its push body; with <c>--push URL</c> it also sends
/// that body to the node, once.
/// </summary>
internal static class TxCommands
{
    public static Command Create(CliConsole console)
    {
        var command = new Command("tx", "Operator commands that build signed transactions.");
        command.Subcommands.Add(CreateRotate(console));
        return command;
    }

    private static Command CreateRotate(CliConsole console)
    {
        Option<string?> Text(string name, string description) => new(name) { Description = description };

        var chainId = Text("--chain-id", "Chain id (64 hex digits).");
        var refBlockId = Text("--ref-block-id", "Id of the block the transaction references for TaPoS (64 hex digits), e.g. the last irreversible block.");
        var expiration = Text("--expiration", "Expiration, UTC, written YYYY-MM-DDTHH:MM:SS.");
        var producer = Text("--producer", "Producer account.");
        var permission = Text("--permission", "Permission of the producer account that authorises the rotation.");
        var newKey = Text("--new-key", "New block signing key (PUB_K1_… or EOS…). With an authority it must be one of --authority-key.");
        var url = Text("--url", "Producer URL, as registered.");
        var location = Text("--location", "Producer location code (0-65535).");
        var threshold = Text("--authority-threshold", "Threshold of a block signing authority; selects regproducer2.");
        var authorityKeys = new Option<string[]>("--authority-key")
        {
            Description = "KEY:WEIGHT of the block signing authority, once per key; selects regproducer2.",
        };
        var finalizerKey = Text("--finalizer-key", "BLS finalizer key (PUB_BLS_…) to activate with actfinkey in the same transaction.");
        var keyFiles = new Option<string[]>("--key-file")
        {
            Description = "File holding one private key that signs the transaction; repeat for several signers.",
        };
        var push = Text("--push", "Node URL (http:// or https://) to send the signed transaction to with push_transaction, once. Without it nothing is sent.");
        var timeout = Text("--timeout", "Seconds to wait for the node's answer to --push (default 10).");

        var rotate = new Command("rotate", "Builds and signs a regproducer/regproducer2 (+ actfinkey) transaction; offline unless --push is given.");
        foreach (var option in new Option[] { chainId, refBlockId, expiration, producer, permission, newKey, url, location, threshold, authorityKeys, finalizerKey, keyFiles, push, timeout })
        {
            rotate.Options.Add(option);
        }

        rotate.SetAction(async (parse, cancellationToken) =>
        {
            var problems = new List<string>();
            var request = RotationRequest.Validate(
                new RotationOptions(
                    parse.GetValue(chainId), parse.GetValue(refBlockId), parse.GetValue(expiration), parse.GetValue(producer),
                    parse.GetValue(permission), parse.GetValue(newKey), parse.GetValue(url), parse.GetValue(location),
                    parse.GetValue(threshold), parse.GetValue(authorityKeys) ?? [], parse.GetValue(finalizerKey)),
                problems);
            var signers = ReadSigners(parse.GetValue(keyFiles) ?? [], console.In, problems);
            var target = PushTarget.Validate(parse.GetValue(push), parse.GetValue(timeout), problems);
            if (request is null || problems.Count > 0)
            {
                console.Error.WriteLine($"tx rotate: {problems.Count} problem(s):");
                foreach (var problem in problems)
                {
                    console.Error.WriteLine($"  - {problem}");
                }

                return ExitCodes.Usage;
            }

            var transaction = request.ToTransaction();
            var packed = request.Sign(signers);
            if (target is null)
            {
                console.Out.WriteLine(TransactionJsonWriter.Signed(request.ChainId, transaction, packed, pushed: null));
                return ExitCodes.Ok;
            }

            var outcome = await TxPush.SendAsync(target, packed, transaction.Id.ToString(), cancellationToken).ConfigureAwait(false);
            console.Out.WriteLine(TransactionJsonWriter.Signed(request.ChainId, transaction, packed, outcome.Accepted));
            if (outcome.Failure is not null)
            {
                console.Error.WriteLine(outcome.Failure);
                return ExitCodes.Failure;
            }

            return ExitCodes.Ok;
        });
        return rotate;
    }

    private static List<PrivateKey> ReadSigners(string[] paths, TextReader stdin, List<string> problems)
    {
        if (paths.Length == 0)
        {
            problems.Add("--key-file is required (once per signing key).");
        }

        var keys = new List<PrivateKey>();
        foreach (var path in paths)
        {
            if (KeyFiles.TryRead(path, stdin, out var key, out var problem))
            {
                keys.Add(key);
            }
            else
            {
                problems.Add(problem);
            }
        }

        return keys;
    }
}
