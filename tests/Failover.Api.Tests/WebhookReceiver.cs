using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Failover.Api.Tests;

/// <summary>
/// A webhook receiver on Kestrel at 127.0.0.1: it keeps every request body and its Idempotency-Key. It can go down
/// (stop listening: connections are refused) and come back on the same port.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly Channel<JsonNode> _received = Channel.CreateUnbounded<JsonNode>();
    private WebApplication? _app;

    public Uri Url { get; private set; } = null!;

    public ConcurrentQueue<(JsonNode Body, string? Key)> Requests { get; } = new();

    public static async Task<WebhookReceiver> StartAsync()
    {
        var receiver = new WebhookReceiver();
        await receiver.ListenAsync(0);
        return receiver;
    }

    /// <summary>Stops listening: the next deliveries find nobody.</summary>
    public async Task GoDownAsync()
    {
        await _app!.StopAsync();
        await _app.DisposeAsync();
        _app = null;
    }

    public Task ComeBackAsync() => ListenAsync(Url.Port);

    /// <summary>The next body received (waits, bounded, in real time).</summary>
    public async Task<JsonNode> NextAsync() => await _received.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await GoDownAsync();
        }
    }

    private async Task ListenAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        app.MapPost("/hooks/{secret}", async (HttpContext context) =>
        {
            var body = (await JsonNode.ParseAsync(context.Request.Body))!;
            Requests.Enqueue((body, context.Request.Headers["Idempotency-Key"].FirstOrDefault()));
            await _received.Writer.WriteAsync(body);
            return Results.Ok();
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        Url = new Uri(new Uri(address), "/hooks/s3cr3t-path-token");
        _app = app;
    }
}
