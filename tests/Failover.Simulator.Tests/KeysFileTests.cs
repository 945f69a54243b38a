using System.Text.Json;
using Failover.Antelope;

namespace Failover.Simulator.Tests;

public sealed class KeysFileTests
{
    [Fact]
    public void The_keys_file_has_every_accounts_permissions_and_every_nodes_keys()
    {
        var chain = new TestChain();
        using var keys = new MemoryStream();
        SimulationKeysFile.Write(chain.Roster, keys);
        using var file = JsonDocument.Parse(keys.ToArray());

        var failover = file.RootElement.GetProperty("accounts").GetProperty("failover.bp");
        Assert.Equal(["owner", "active", "failover"], failover.EnumerateObject().Select(p => p.Name));
        Assert.Equal(chain.AccountKey("failover.bp", "failover").PublicKey, PrivateKey.Parse(failover.GetProperty("failover")[0].GetString()!).PublicKey);
        var dc2 = file.RootElement.GetProperty("nodes").GetProperty("failover.bp/dc2");
        Assert.Equal(chain.Node("failover.bp/dc2").SigningKey.PublicKey, PrivateKey.Parse(dc2.GetProperty("signing").GetString()!).PublicKey);
        Assert.StartsWith("PUB_BLS_", dc2.GetProperty("finalizer").GetString(), StringComparison.Ordinal);
        Assert.Equal(134, dc2.GetProperty("finalizer").GetString()!["PUB_BLS_".Length..].Length);
    }

    [Fact]
    public void Under_legacy_consensus_nodes_have_no_finalizer_key()
    {
        using var keys = new MemoryStream();
        SimulationKeysFile.Write(new TestChain(ConsensusMode.Legacy).Roster, keys);
        using var file = JsonDocument.Parse(keys.ToArray());

        Assert.All(file.RootElement.GetProperty("nodes").EnumerateObject(), node => Assert.Equal(JsonValueKind.Null, node.Value.GetProperty("finalizer").ValueKind));
    }
}
