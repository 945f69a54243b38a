using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Failover.Antelope;
using Failover.Simulator.Chain;
using Failover.Simulator.Network;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Failover.Simulator.Http;

/// <summary>
/// Serves a <see cref="ChainSimulator"/> over HTTP (Kestrel, minimal APIs). <c>/v1/chain/*</c> is the first API
/// node; <c>/node/{name}/v1/chain/*</c> is any API node; <c>/node/{producer}/{dc}/v1/chain/*</c> is a producer
/// node's own API (while it is up); <c>/sim/*</c> switches faults on and off.
/// </summary>
public static class SimulatorHost
{
    private const int MaxBodyBytes = 1 << 20;

    /// <param name="produceInBackground">Produce blocks at slot boundaries on the simulator's clock (requests catch up anyway).</param>
    public static WebApplication Build(ChainSimulator simulator, IEnumerable<string> urls, bool produceInBackground = true)
    {
        ArgumentNullException.ThrowIfNull(simulator);
        ArgumentNullException.ThrowIfNull(urls);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls([.. urls]);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        if (produceInBackground)
        {
            builder.Services.AddHostedService(_ => new BlockProductionLoop(simulator));
        }

        var app = builder.Build();
        var api = new ChainApi(simulator);
        var stopping = app.Lifetime.ApplicationStopping;
        app.MapMethods("/v1/chain/{endpoint}", ["GET", "POST"], (HttpContext context, string endpoint) =>
            ServeChain(context, simulator, api, simulator.DefaultApiNode, endpoint, stopping));
        app.MapMethods("/node/{node}/v1/chain/{endpoint}", ["GET", "POST"], (HttpContext context, string node, string endpoint) =>
            ServeChain(context, simulator, api, node, endpoint, stopping));
        app.MapMethods("/node/{producer}/{dc}/v1/chain/{endpoint}", ["GET", "POST"], (HttpContext context, string producer, string dc, string endpoint) =>
            ServeProducerNode(context, simulator, api, $"{producer}/{dc}", endpoint));
        MapSimRoutes(app, simulator);
        app.MapFallback((HttpContext context) => Write(context, ChainApi.Error(ChainErrors.UnknownEndpoint())));
        return app;
    }

    /// <param name="stopping">Ends injected hangs when the host stops, so a timeout fault never blocks shutdown.</param>
    private static async Task ServeChain(HttpContext context, ChainSimulator simulator, ChainApi api, string node, string endpoint, CancellationToken stopping)
    {
        if (!simulator.Options.ApiNodes.Contains(node))
        {
            await Write(context, ChainApi.Error(ChainErrors.UnknownEndpoint())).ConfigureAwait(false);
            return;
        }

        var faults = simulator.ClaimApiFaults(node, endpoint);
        ChainApiResponse? injected;
        try
        {
            using var hang = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
            injected = await FaultInjection.BeforeAsync(faults, TimeProvider.System, hang.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        if (injected is not null)
        {
            await Write(context, injected).ConfigureAwait(false);
            return;
        }

        var body = await ReadBody(context).ConfigureAwait(false);
        var response = body is null
            ? ChainApi.Error(ChainErrors.InvalidRequest($"The request body exceeds {MaxBodyBytes} bytes"))
            : api.Handle(node, endpoint, body, faults.ErrorCode);
        await Write(context, FaultInjection.After(faults, response)).ConfigureAwait(false);
    }

    /// <summary>
    /// A producer node's own chain API: it answers from its side's branch while it is up; while it is down the
    /// connection is aborted without an answer (all nodes share one listener, so a refused connection is not possible).
    /// </summary>
    private static async Task ServeProducerNode(HttpContext context, ChainSimulator simulator, ChainApi api, string node, string endpoint)
    {
        if (simulator.Roster.FindNode(node) is null)
        {
            await Write(context, ChainApi.Error(ChainErrors.UnknownEndpoint())).ConfigureAwait(false);
            return;
        }

        if (simulator.IsNodeDown(node))
        {
            context.Abort();
            return;
        }

        var body = await ReadBody(context).ConfigureAwait(false);
        var response = body is null
            ? ChainApi.Error(ChainErrors.InvalidRequest($"The request body exceeds {MaxBodyBytes} bytes"))
            : api.Handle(node, endpoint, body);
        await Write(context, response).ConfigureAwait(false);
    }

    private static void MapSimRoutes(WebApplication app, ChainSimulator simulator)
    {
        var sim = app.MapGroup("/sim");
        sim.MapGet("/state", () => Json(simulator.Snapshot(), SimJsonContext.Default.SimulationSnapshot));
        sim.MapPost("/nodes/{producer}/{dc}/down", (string producer, string dc) => Act(() => simulator.SetNodeDown($"{producer}/{dc}", down: true)));
        sim.MapPost("/nodes/{producer}/{dc}/up", (string producer, string dc) => Act(() => simulator.SetNodeDown($"{producer}/{dc}", down: false)));
        // HttpRequest, not HttpContext: the source-generated route takes a lone-HttpContext handler for a RequestDelegate
        // and drops the IResult it returns (an empty 200; dotnet/aspnetcore#39956, #67089).
        sim.MapPost("/partition", async (HttpRequest http) =>
        {
            var request = await ReadJson(http.HttpContext, SimJsonContext.Default.PartitionRequest).ConfigureAwait(false);
            return request is null
                ? BadRequest("Expected {\"sides\": [[members of side 0], [members of side 1], …]}.")
                : Act(() => simulator.Partition([.. request.Sides.Select(s => (IReadOnlyCollection<string>)s)]));
        });
        sim.MapPost("/heal", () => Json(simulator.Heal(), SimJsonContext.Default.HealOutcome));
        sim.MapPost("/api/{node}/stall", (string node) => Act(() => simulator.SetApiNodeStalled(node, stalled: true)));
        sim.MapPost("/api/{node}/resume", (string node) => Act(() => simulator.SetApiNodeStalled(node, stalled: false)));
        sim.MapPost("/api/{node}/faults", async (HttpContext context, string node) =>
        {
            var faults = await ReadJson(context, SimJsonContext.Default.ApiFaults).ConfigureAwait(false);
            return faults is null
                ? BadRequest("Expected {\"error_status\": 500|503|null, \"error_code\": fc code|null, \"latency_ms\": n, \"timeout\": bool, \"malformed\": bool, " +
                    "\"routes\": [chain API routes]|null, \"count\": n|null}.")
                : Act(() => simulator.SetApiFaults(node, faults));
        });
        sim.MapGet("/api/{node}/faults", (string node) =>
        {
            try
            {
                return Json(simulator.ApiFaultsOf(node), SimJsonContext.Default.ApiFaults);
            }
            catch (ArgumentException e)
            {
                return BadRequest(e.Message);
            }
        });
        sim.MapDelete("/api/{node}/faults", (string node) => Act(() => simulator.SetApiFaults(node, ApiFaults.None)));
        sim.MapPost("/finality/stall", () => Act(() => simulator.SetFinalityStalled(stalled: true)));
        sim.MapPost("/finality/resume", () => Act(() => simulator.SetFinalityStalled(stalled: false)));

        IResult Act(Action action)
        {
            try
            {
                action();
                return Json(simulator.Snapshot(), SimJsonContext.Default.SimulationSnapshot);
            }
            catch (ArgumentException e)
            {
                return BadRequest(e.Message);
            }
            catch (InvalidOperationException e)
            {
                return BadRequest(e.Message);
            }
        }
    }

    private static IResult Json<T>(T value, JsonTypeInfo<T> type) => Results.Bytes(JsonSerializer.SerializeToUtf8Bytes(value, type), "application/json");

    private static IResult BadRequest(string message) =>
        Results.Json(new SimError(message), SimJsonContext.Default.SimError, statusCode: 400);

    private static async Task<T?> ReadJson<T>(HttpContext context, JsonTypeInfo<T> type)
        where T : class
    {
        var body = await ReadBody(context).ConfigureAwait(false);
        try
        {
            return string.IsNullOrWhiteSpace(body) ? null : JsonSerializer.Deserialize(body, type);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The body as text, or null when it is larger than the limit.</summary>
    private static async Task<string?> ReadBody(HttpContext context)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static async Task Write(HttpContext context, ChainApiResponse response)
    {
        context.Response.StatusCode = response.Status;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(response.Body, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Produces blocks at each slot boundary of the simulator's clock.</summary>
    private sealed class BlockProductionLoop(ChainSimulator simulator) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                simulator.Advance();
                var now = simulator.Time.GetUtcNow();
                var next = BlockTimestamp.FromSlot(BlockTimestamp.ToSlot(now) + 1);
                try
                {
                    await Task.Delay(next - now + TimeSpan.FromMilliseconds(1), simulator.Time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
