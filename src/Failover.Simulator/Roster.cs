using Failover.Antelope;

namespace Failover.Simulator;

/// <summary>A producing node in one data center: its block-signing key and, under Savanna, its finalizer key.</summary>
public sealed class ProducerNode
{
    public ProducerNode(Name producer, string dataCenter, PrivateKey signingKey, string? finalizerKey)
    {
        Producer = producer;
        DataCenter = dataCenter;
        SigningKey = signingKey;
        FinalizerKey = finalizerKey;
    }

    public Name Producer { get; }

    public string DataCenter { get; }

    /// <summary>Secret: never log or serve it (only the keys file exports it, on request).</summary>
    public PrivateKey SigningKey { get; }

    public string? FinalizerKey { get; }

    /// <summary><c>producer/dc</c>, as in the keys file and the fault routes.</summary>
    public string Id => $"{Producer}/{DataCenter}";

    public override string ToString() => $"{Id} ({SigningKey.PublicKey})";
}

/// <summary>The permission keys of one simulated account (secrets; exported only to the keys file).</summary>
public sealed record AccountKeys(Name Account, IReadOnlyDictionary<Name, PrivateKey> Permissions)
{
    public override string ToString() => $"{Account} ({string.Join(", ", Permissions.Keys)})";
}

/// <summary>
/// Who takes part in a simulation, all derived from the seed: producer accounts (ours first), their nodes and
/// permission keys. Other producers are named <c>prod.a</c>, <c>prod.b</c>, … and run one node in <c>dc1</c>.
/// </summary>
public sealed class Roster
{
    public static readonly Name FailoverPermission = Name.Parse("failover");
    public static readonly Name Eosio = Name.Parse("eosio");

    public Roster(SimulationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid simulation options: " + string.Join(" ", problems), nameof(options));
        }

        Options = options;
        OurProducer = Name.Parse(options.OurProducer);
        var others = Enumerable.Range(0, options.ProducerCount - 1).Select(i => Name.Parse("prod." + Letters(i))).ToList();
        Producers = [.. others.Prepend(OurProducer).OrderBy(p => p.Value)];
        var withFinalizers = options.Consensus == ConsensusMode.Savanna;
        Nodes = [.. Producers.SelectMany(p => (p == OurProducer ? options.OurDataCenters : ["dc1"]).Select(dc => new ProducerNode(
            p,
            dc,
            SeedDerivation.PrivateKey(options.Seed, $"node/{p}/{dc}/signing"),
            withFinalizers ? SeedDerivation.FinalizerKey(options.Seed, $"node/{p}/{dc}/finalizer") : null)))];
        Accounts = [.. Producers.Prepend(Eosio).Select(account => new AccountKeys(account, PermissionsOf(account).ToDictionary(
            permission => permission,
            permission => SeedDerivation.PrivateKey(options.Seed, $"account/{account}/{permission}"))))];
    }

    public SimulationOptions Options { get; }

    public Name OurProducer { get; }

    /// <summary>Registered producers ordered by name value.</summary>
    public IReadOnlyList<Name> Producers { get; }

    public IReadOnlyList<ProducerNode> Nodes { get; }

    public IReadOnlyList<AccountKeys> Accounts { get; }

    public IEnumerable<ProducerNode> NodesOf(Name producer) => Nodes.Where(n => n.Producer == producer);

    /// <summary>The node whose key is registered at genesis: the first data center.</summary>
    public ProducerNode PrimaryNode(Name producer) => NodesOf(producer).First();

    public ProducerNode? FindNode(string id) => Nodes.FirstOrDefault(n => n.Id == id);

    /// <summary>
    /// Deterministic, distinct, positive votes, so the election is reproducible. Ours has the most, so it is
    /// always elected even with more than 21 registered producers.
    /// </summary>
    public double VotesOf(Name producer) => producer == OurProducer
        ? 3e17
        : 1e17 * (1 + (BitConverter.ToUInt32(SeedDerivation.Derive(Options.Seed, $"votes/{producer}")) / (double)uint.MaxValue));

    private IEnumerable<Name> PermissionsOf(Name account) =>
        account == OurProducer ? [Contract.Account.Owner, Contract.Account.Active, FailoverPermission] : [Contract.Account.Owner, Contract.Account.Active];

    /// <summary>0 → a, 25 → z, 26 → aa, … (name characters a–z only).</summary>
    private static string Letters(int index)
    {
        var text = string.Empty;
        for (var i = index + 1; i > 0; i = (i - 1) / 26)
        {
            text = (char)('a' + ((i - 1) % 26)) + text;
        }

        return text;
    }
}
