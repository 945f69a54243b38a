using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Failover.Antelope.Chain;
using Failover.Domain.Events;
using Failover.EventStore;
using Failover.Service.Configuration;
using Failover.Service.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Failover.Service.Api;

/// <summary>The audit feed (<c>/api/events</c>) and the live stream of new events and status (<c>/api/stream</c>).</summary>
public static class EventsApi
{
    public const int MaxEvents = 1000;

    public static RouteGroupBuilder MapEventsApi(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapGet("/events", GetEventsAsync).WithName("GetEvents").WithSummary("The log from a position: each event's position, type, stream, hash and payload; limit 1–1000.");
        api.MapGet("/stream", Stream).WithName("GetStream")
            .WithSummary("Server-sent events: a 'status' at once, then every new event (id = its position, event = its type) and a 'status' after process events and samples; resumable with Last-Event-ID.");
        return api;
    }

    public static EventEntry ToEntry(RecordedEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        using var payload = JsonDocument.Parse(e.Payload);
        return new EventEntry(e.Position, e.Stream, e.Version, e.Type, e.EventId, e.RecordedAt, e.Metadata.ObserverId, e.Metadata.CausationId,
            e.Metadata.CorrelationId, Convert.ToHexStringLower(e.Hash.Span), payload.RootElement.Clone());
    }

    private static async Task<Results<Ok<EventsPage>, ProblemHttpResult>> GetEventsAsync(IEventStore store, string? from, string? limit, CancellationToken cancellationToken)
    {
        if (!ApiProblems.TryParse(from, "from", 1, long.MaxValue, 1, out var first, out var problem)
            || !ApiProblems.TryParse(limit, "limit", 1, MaxEvents, 100, out var count, out problem))
        {
            return problem!;
        }

        var events = new List<EventEntry>();
        await foreach (var e in store.ReadAllAsync(first, count, cancellationToken).ConfigureAwait(false))
        {
            events.Add(ToEntry(e));
        }

        return TypedResults.Ok(new EventsPage(events, events.Count > 0 ? events[^1].Position + 1 : first));
    }

    private static async Task<Results<ServerSentEventsResult<JsonElement>, ProblemHttpResult>> Stream(
        HttpContext context, LogBroadcast broadcast, ReadModelQueries queries, FailoverSettings settings, IEnumerable<HostedProjection> projections)
    {
        var resume = context.Request.Headers["Last-Event-ID"].FirstOrDefault();
        long after = 0;
        if (resume is not null && (!long.TryParse(resume, NumberStyles.None, CultureInfo.InvariantCulture, out after) || after < 0))
        {
            return ApiProblems.BadParameter("Last-Event-ID", $"Last-Event-ID must be the position of the last event received, got '{NodeText.Bounded(resume)}'.");
        }

        var head = await broadcast.PositionAsync(context.RequestAborted).ConfigureAwait(false);
        if (resume is not null && after > head)
        {
            return ApiProblems.BadParameter("Last-Event-ID", $"Last-Event-ID {after} is ahead of the log, whose last position is {head}.");
        }

        if (resume is not null && head - after > LogBroadcast.MaxResume)
        {
            return ApiProblems.BadParameter("Last-Event-ID", $"Last-Event-ID {after} is more than {LogBroadcast.MaxResume} events back: page /api/events?from={after + 1} instead.");
        }

        if (broadcast.TryJoin() is not { } subscriber)
        {
            context.Response.Headers.RetryAfter = "5";
            return ApiProblems.Busy($"All {settings.Api.MaxStreams} streams are taken (Api:MaxStreams): try again later.");
        }

        // Without Last-Event-ID the stream starts where the log is when the client joins (live only).
        return TypedResults.ServerSentEvents(Items(subscriber, queries, settings, [.. projections], resume is null ? subscriber.JoinedAt : after, context.RequestAborted));
    }

    /// <summary>
    /// Without Last-Event-ID the stream starts at the log's head (live only); with it, right after that position. It
    /// opens with a 'status' item (id: the position it starts after), and a 'status' follows every process event and sample.
    /// </summary>
    private static async IAsyncEnumerable<SseItem<JsonElement>> Items(
        LogBroadcast.Subscriber subscriber, ReadModelQueries queries, FailoverSettings settings, IReadOnlyList<HostedProjection> projections, long start,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var place = subscriber;
        var opening = await QueryApi.StatusAsync(queries, settings, projections, cancellationToken).ConfigureAwait(false);
        yield return new SseItem<JsonElement>(JsonSerializer.SerializeToElement(opening, ApiJsonContext.Default.StatusResponse), "status")
        {
            EventId = start.ToString(CultureInfo.InvariantCulture),
        };
        await foreach (var e in subscriber.ReadAsync(start, cancellationToken).ConfigureAwait(false))
        {
            var entry = JsonSerializer.SerializeToElement(ToEntry(e), ApiJsonContext.Default.EventEntry);
            yield return new SseItem<JsonElement>(entry, e.Type) { EventId = e.Position.ToString(CultureInfo.InvariantCulture) };
            if (EventCatalogue.TryGetByName(e.Type, out var type) && (typeof(IProcessEvent).IsAssignableFrom(type.ClrType) || type.ClrType == typeof(ParticipationSampled)))
            {
                var status = await QueryApi.StatusAsync(queries, settings, projections, cancellationToken).ConfigureAwait(false);
                yield return new SseItem<JsonElement>(JsonSerializer.SerializeToElement(status, ApiJsonContext.Default.StatusResponse), "status")
                {
                    EventId = e.Position.ToString(CultureInfo.InvariantCulture),
                };
            }
        }
    }
}
