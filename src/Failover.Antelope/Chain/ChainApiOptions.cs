namespace Failover.Antelope.Chain;

/// <summary>Settings of a <see cref="ChainApiClient"/>.</summary>
public sealed class ChainApiOptions
{
    /// <summary>The node's URL (e.g. <c>http://127.0.0.1:8888</c>); when null the HttpClient's own base address is used.</summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>Limit for one HTTP call including reading the body; each retry gets a fresh limit.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How many times a read is repeated after a transient failure (pushes are never repeated).</summary>
    public int ReadRetries { get; set; } = 2;

    /// <summary>Pause before each retry of a read.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// The largest answer read, in bytes: a longer body is a malformed answer, not memory spent. nodeos's biggest
    /// answers, <c>get_block</c> of a full block, stay well below the default 8 MiB.
    /// </summary>
    public int MaxResponseBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Clock for timeouts and retry pauses.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
