using System.Text;
using Failover.Antelope;
using Failover.Domain.Chain;
using Failover.Domain.Events;

namespace Failover.Domain.Tests.Support;

/// <summary>
/// Given/When/Then for the chain decider: <c>Given(events…)</c> folds the chain stream, <c>When(observation)</c>
/// decides, <c>Then…</c> compares the decision with what the test derived by hand. Events compare by stable type
/// name and payload (keys in one spelling), so a failure prints both lists in full.
/// </summary>
internal sealed class ObserverSpec
{
    private readonly List<IChainEvent> _history;
    private ChainDecision? _decision;

    private ObserverSpec(IEnumerable<IChainEvent> history)
    {
        _history = [.. history];
        Before = TestChain.Fold(_history);
    }

    public ObservedChain Before { get; }

    public ChainDecision Decision => _decision ?? throw new InvalidOperationException("When(...) was not called.");

    /// <summary>The chain stream folded with the decided events appended.</summary>
    public ObservedChain After => Decision.Events.Aggregate(Before, (chain, e) => chain.Apply(e));

    public IReadOnlyList<IChainEvent> History => _history;

    public static ObserverSpec Given(params IEnumerable<IChainEvent> history) => new(history);

    public ObserverSpec When(ChainObservation observation)
    {
        _decision = ChainDecider.Decide(Before, observation);
        return this;
    }

    /// <summary>The observation was taken whole: exactly these events, no problem, nothing to fetch.</summary>
    public ObserverSpec Then(params IEnumerable<IChainEvent> expected)
    {
        Assert.Equal(Canonical(expected), Canonical(Decision.Events));
        Assert.Null(Decision.Problem);
        Assert.Null(Decision.NeedsBlocksFrom);
        return this;
    }

    /// <summary>The decider stopped with a problem naming <paramref name="mentions"/>, after exactly <paramref name="kept"/>.</summary>
    public ObserverSpec ThenProblem(string[] mentions, params IEnumerable<IChainEvent> kept)
    {
        Assert.NotNull(Decision.Problem);
        foreach (var mention in mentions)
        {
            Assert.Contains(mention, Decision.Problem, StringComparison.Ordinal);
        }

        Assert.Equal(Canonical(kept), Canonical(Decision.Events));
        Assert.Null(Decision.NeedsBlocksFrom);
        return this;
    }

    public ObserverSpec ThenNeedsBlocksFrom(uint number)
    {
        Assert.Empty(Decision.Events);
        Assert.Null(Decision.Problem);
        Assert.Equal(number, Decision.NeedsBlocksFrom);
        return this;
    }

    public static List<string> Canonical(IEnumerable<IChainEvent> events) => [.. events.Select(Canonical)];

    public static string Canonical(IChainEvent e)
    {
        var normalised = e is ProducerScheduleChanged s
            ? s with { Producers = [.. s.Producers.Select(p => p with { Keys = [.. p.Keys.Select(k => k with { Key = PublicKey.Parse(k.Key).ToString() })] })] }
            : e;
        return EventCatalogue.Of(e.GetType()).Name + " " + Encoding.UTF8.GetString(EventCatalogue.Serialize(normalised));
    }
}
