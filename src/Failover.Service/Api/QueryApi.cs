using Failover.Antelope;
using Failover.Domain.Decisions;
using Failover.Domain.ReadModels;
using Failover.Service.Configuration;
using Failover.Service.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Failover.Service.Api;

/// <summary>The read routes of design §9 over the read models: status, rounds, producers, failovers.</summary>
public static class QueryApi
{
    public const int MaxRounds = 200;
    public const int MaxFailovers = 100;

    public static RouteGroupBuilder MapQueryApi(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapGet("/status", GetStatusAsync).WithName("GetStatus").WithSummary("The producer at a glance: active data center, automation, chain, failover process.");
        api.MapGet("/rounds", GetRoundsAsync).WithName("GetRounds").WithSummary("Rounds newest first, paged: from/to are round start slots (inclusive), limit 1–200.");
        api.MapGet("/rounds/{id}", GetRoundAsync).WithName("GetRound").WithSummary("One round by its start slot.");
        api.MapGet("/producers/{name}/health", GetProducerAsync).WithName("GetProducerHealth").WithSummary("A producer's rolling health.");
        api.MapGet("/failovers", GetFailoversAsync).WithName("GetFailovers").WithSummary("Failovers newest first, each with its decisions, evidence, transaction and outcome.");
        return api;
    }

    private static async Task<Ok<StatusResponse>> GetStatusAsync(ReadModelQueries queries, FailoverSettings settings, IEnumerable<HostedProjection> projections, CancellationToken cancellationToken) =>
        TypedResults.Ok(await StatusAsync(queries, settings, [.. projections], cancellationToken).ConfigureAwait(false));

    /// <summary>The status from the read models.</summary>
    public static async Task<StatusResponse> StatusAsync(ReadModelQueries queries, FailoverSettings settings, IReadOnlyList<HostedProjection> projections, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(projections);
        var chain = await queries.ChainStatusAsync(cancellationToken).ConfigureAwait(false);
        var failover = await queries.FailoverStatusAsync(cancellationToken).ConfigureAwait(false);
        var keys = chain?.OurKeys ?? [];
        var active = KeyInForce.HeldBy(chain?.OurAuthority ?? SigningAuthority.EachKeyAlone(keys), settings.DataCenters.Select(d => d.ToConfig()));
        var automation = failover switch
        {
            { AutomationPaused: true } => "paused",
            { Latched: true } => "latched",
            _ => "armed",
        };
        return new StatusResponse(settings.Producer.ToString(), automation, active?.Name, keys, chain, failover, projections.All(p => p.Progress.IsCaughtUp));
    }

    private static async Task<Results<Ok<RoundsPage>, ProblemHttpResult>> GetRoundsAsync(
        ReadModelQueries queries, string? from, string? to, string? limit, CancellationToken cancellationToken)
    {
        if (!ApiProblems.TryParse(from, "from", 0, uint.MaxValue, 0, out var first, out var problem)
            || !ApiProblems.TryParse(to, "to", 0, uint.MaxValue, uint.MaxValue, out var last, out problem)
            || !ApiProblems.TryParse(limit, "limit", 1, MaxRounds, 20, out var count, out problem))
        {
            return problem!;
        }

        if (first > last)
        {
            return ApiProblems.BadParameter("from", $"from ({first}) must not be after to ({last}).");
        }

        var rounds = await queries.RoundsAsync((uint)first, (uint)last, (int)count, cancellationToken).ConfigureAwait(false);
        uint? next = rounds.Count == count && rounds[^1].RoundStart > first ? rounds[^1].RoundStart - 1 : null;
        return TypedResults.Ok(new RoundsPage(rounds, next));
    }

    private static async Task<Results<Ok<RoundHealth>, ProblemHttpResult>> GetRoundAsync(ReadModelQueries queries, string id, CancellationToken cancellationToken)
    {
        if (!ApiProblems.TryParse(id, "id", 0, uint.MaxValue, 0, out var start, out var problem))
        {
            return problem!;
        }

        return await queries.RoundAsync((uint)start, cancellationToken).ConfigureAwait(false) is { } round
            ? TypedResults.Ok(round)
            : ApiProblems.NotFound($"No round starts at slot {start} (a round id is its first slot, a multiple of the round length).");
    }

    private static async Task<Results<Ok<ProducerHealth>, ProblemHttpResult>> GetProducerAsync(ReadModelQueries queries, string name, CancellationToken cancellationToken)
    {
        if (!Name.TryParse(name, out _, out var error))
        {
            return ApiProblems.BadParameter("name", $"name must be an account name: {error}");
        }

        return await queries.ProducerAsync(name, cancellationToken).ConfigureAwait(false) is { } health
            ? TypedResults.Ok(health)
            : ApiProblems.NotFound($"No block or missed slot of {name} has been observed.");
    }

    private static async Task<Results<Ok<FailoversPage>, ProblemHttpResult>> GetFailoversAsync(
        ReadModelQueries queries, string? before, string? limit, CancellationToken cancellationToken)
    {
        if (!ApiProblems.TryParse(before, "before", 2, long.MaxValue, long.MaxValue, out var upTo, out var problem)
            || !ApiProblems.TryParse(limit, "limit", 1, MaxFailovers, 20, out var count, out problem))
        {
            return problem!;
        }

        var failovers = await queries.FailoversAsync(upTo, (int)count, cancellationToken).ConfigureAwait(false);
        long? next = failovers.Count == count && failovers[^1].Sequence > 1 ? failovers[^1].Sequence : null;
        return TypedResults.Ok(new FailoversPage(failovers, next));
    }
}
