namespace Failover.EventStore.Tests;

/// <summary>The result of checking the hash chain: OK with a count, or the first broken link.</summary>
public sealed record ChainVerification(bool IsIntact, long EventCount, BrokenLink? FirstBrokenLink)
{
    public override string ToString() => FirstBrokenLink is { } b
        ? $"hash chain broken at position {b.Position}: {b.Reason}"
        : $"hash chain intact over {EventCount} events";
}

/// <summary>The first position whose stored hash (or position) is not what the chain requires.</summary>
public sealed record BrokenLink(long Position, string Reason, ReadOnlyMemory<byte> ExpectedHash, ReadOnlyMemory<byte> ActualHash);

/// <summary>
/// The acceptance suite's check of an adapter's hash chain: recomputes every link from the genesis hash. In production
/// <c>failover audit verify</c> (Failover.Audit's Verifier) checks the chain and says what broke it.
/// </summary>
public static class HashChainCheck
{
    /// <summary>Recomputes every link of the global log from the genesis hash and reports the first one that differs.</summary>
    public static async Task<ChainVerification> VerifyHashChainAsync(this IEventStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        return await VerifyAsync(store.ReadAllAsync(GlobalPosition.Start + 1, cancellationToken: cancellationToken))
            .ConfigureAwait(false);
    }

    public static async Task<ChainVerification> VerifyAsync(IAsyncEnumerable<RecordedEvent> log)
    {
        ArgumentNullException.ThrowIfNull(log);
        var previous = CanonicalEvent.GenesisHash;
        long count = 0;
        await foreach (var e in log.ConfigureAwait(false))
        {
            var expectedPosition = count + 1;
            if (e.Position != expectedPosition)
            {
                return Broken(expectedPosition, $"position {expectedPosition} is missing (next stored is {e.Position})",
                    ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty);
            }

            var expected = CanonicalEvent.ComputeHash(previous.Span, e);
            if (!e.Hash.Span.SequenceEqual(expected))
            {
                return Broken(e.Position,
                    $"stored hash {Convert.ToHexStringLower(e.Hash.Span)} differs from recomputed {Convert.ToHexStringLower(expected)}",
                    expected, e.Hash);
            }

            previous = e.Hash;
            count++;
        }

        return new ChainVerification(true, count, null);

        ChainVerification Broken(long position, string reason, ReadOnlyMemory<byte> expected, ReadOnlyMemory<byte> actual) =>
            new(false, count, new BrokenLink(position, reason, expected, actual));
    }
}
