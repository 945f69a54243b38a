using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Failover.Antelope;
using Failover.Antelope.Chain;

namespace Failover.Host.Tests;

/// <summary>What the drills against <c>failover simulate</c> share: ports, probes, the chain's transactions.</summary>
internal static partial class DrillSupport
{
    public const string Producer = "failover.bp";

    /// <summary>The line <c>failover simulate</c> prints once it listens: the chain id and the URL.</summary>
    [GeneratedRegex(@"chain (?<chain>[0-9a-f]{64}) on (?<url>http://127\.0\.0\.1:\d+)")]
    public static partial Regex SimulatorListening();

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Writes <paramref name="privateKey"/> to <c>failover.key</c> in <paramref name="directory"/>, readable by its owner alone (as the service demands).</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public static string WriteKeyFile(DirectoryInfo directory, string privateKey)
    {
        var keyFile = Path.Combine(directory.FullName, "failover.key");
        using var stream = new FileStream(keyFile, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        using var writer = new StreamWriter(stream);
        writer.Write(privateKey);
        return keyFile;
    }

    /// <summary>"ok" when <paramref name="url"/> answers 200, else null (not up yet, or failing).</summary>
    public static async Task<string?> GetOrNullAsync(HttpClient http, string url)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(url));
            return response.StatusCode == HttpStatusCode.OK ? "ok" : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    /// <summary>The ids of every transaction in blocks <paramref name="from"/> to <paramref name="to"/>, as the chain API shows them.</summary>
    public static async Task<List<string>> TransactionsInBlocksAsync(ChainApiClient chain, uint from, uint to)
    {
        var ids = new List<string>();
        for (var number = from; number <= to; number++)
        {
            ids.AddRange((await chain.GetBlockAsync(number)).Transactions.Select(t => t.Trx.Id));
        }

        return ids;
    }
}

/// <summary>The keys of the simulator's keys file the service is configured with (public keys, and the failover permission's private key for its key file).</summary>
internal sealed record DrillKeys(string FailoverPrivateKey, PublicKey Dc1Signing, string Dc1Finalizer, PublicKey Dc2Signing, string Dc2Finalizer)
{
    public static DrillKeys Read(string path)
    {
        using var file = JsonDocument.Parse(File.ReadAllText(path));
        var nodes = file.RootElement.GetProperty("nodes");
        PublicKey Signing(string node) => PrivateKey.Parse(nodes.GetProperty(node).GetProperty("signing").GetString()!).PublicKey;
        string Finalizer(string node) => nodes.GetProperty(node).GetProperty("finalizer").GetString()!;
        return new DrillKeys(
            file.RootElement.GetProperty("accounts").GetProperty(DrillSupport.Producer).GetProperty("failover")[0].GetString()!,
            Signing($"{DrillSupport.Producer}/dc1"),
            Finalizer($"{DrillSupport.Producer}/dc1"),
            Signing($"{DrillSupport.Producer}/dc2"),
            Finalizer($"{DrillSupport.Producer}/dc2"));
    }
}
