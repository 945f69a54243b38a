namespace Failover.EventStore;

/// <summary>The version a writer expects a stream to be at; stream versions start at 0 (EventStoreDB's revision).</summary>
public readonly record struct ExpectedVersion
{
    private enum Rule { Any, NoStream, StreamExists, Exact }

    private readonly Rule _rule;

    private ExpectedVersion(Rule rule, long version)
    {
        _rule = rule;
        Version = version;
    }

    /// <summary>Append whatever the stream's state.</summary>
    public static ExpectedVersion Any => new(Rule.Any, 0);

    /// <summary>Append only if the stream does not exist yet.</summary>
    public static ExpectedVersion NoStream => new(Rule.NoStream, 0);

    /// <summary>Append only if the stream already has at least one event.</summary>
    public static ExpectedVersion StreamExists => new(Rule.StreamExists, 0);

    /// <summary>The version of the exact rule; 0 for the others.</summary>
    public long Version { get; }

    /// <summary>Append only if the stream's last event has exactly this version.</summary>
    public static ExpectedVersion Exact(long version) =>
        version >= 0
            ? new(Rule.Exact, version)
            : throw new ArgumentOutOfRangeException(nameof(version), version, "An exact expected version is 0 or more.");

    /// <summary>Whether a stream whose last version is <paramref name="currentVersion"/> (null: no stream) satisfies this rule.</summary>
    public bool IsSatisfiedBy(long? currentVersion) => _rule switch
    {
        Rule.Any => true,
        Rule.NoStream => currentVersion is null,
        Rule.StreamExists => currentVersion is not null,
        _ => currentVersion == Version,
    };

    public override string ToString() => _rule switch
    {
        Rule.Any => "any",
        Rule.NoStream => "no stream",
        Rule.StreamExists => "an existing stream",
        _ => "version " + Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
