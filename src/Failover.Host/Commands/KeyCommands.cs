using System.CommandLine;
using System.Text.Json;

namespace Failover.Host.Commands;

/// <summary><c>failover key inspect</c>: shows the public key of a private key without ever printing the private key.</summary>
internal static class KeyCommands
{
    public static Command Create(CliConsole console)
    {
        var keyFile = new Option<string?>("--key-file")
        {
            Description = "File holding one private key (WIF or PVT_K1_…); read from stdin when omitted.",
        };
        var inspect = new Command("inspect", "Prints the public key (legacy EOS… and PUB_K1_…) of a private key.");
        inspect.Options.Add(keyFile);
        inspect.SetAction(parse =>
        {
            if (!KeyFiles.TryRead(parse.GetValue(keyFile), console.In, out var key, out var problem))
            {
                console.Error.WriteLine(problem);
                return ExitCodes.Usage;
            }

            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteString("public_key_legacy", key.PublicKey.ToLegacyString());
                json.WriteString("public_key", key.PublicKey.ToString());
                json.WriteEndObject();
            }

            console.Out.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
            return ExitCodes.Ok;
        });

        var command = new Command("key", "Operator commands for producer keys.");
        command.Subcommands.Add(inspect);
        return command;
    }
}
