using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Failover.Host.Tests;

/// <summary>A request the node received: its path and body, as sent.</summary>
internal sealed record ReceivedRequest(string Path, string Body);

/// <summary>
/// A real HTTP server on 127.0.0.1 (Kestrel, port chosen by the OS) standing in for nodeos: it records every request
/// and answers each with <c>answer</c>, which may also never answer.
/// </summary>
internal sealed class TxPushNode : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedRequest> _received = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _firstRequest = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private TxPushNode(Func<HttpContext, CancellationToken, Task> answer)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            _received.Enqueue(new ReceivedRequest(context.Request.Path.Value ?? string.Empty, await reader.ReadToEndAsync(context.RequestAborted)));
            _firstRequest.TrySetResult();
            using var aborted = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
            await answer(context, aborted.Token);
        });
    }

    public string Url => _app.Urls.Single();

    public IReadOnlyList<ReceivedRequest> Received => [.. _received];

    /// <summary>Completes once a request has been read in full.</summary>
    public Task FirstRequest => _firstRequest.Task;

    /// <summary>Answers every request with <paramref name="status"/> and the JSON <paramref name="body"/>.</summary>
    public static Task<TxPushNode> AnsweringAsync(int status, string body) =>
        StartAsync(async (context, cancellationToken) =>
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(body, cancellationToken);
        });

    /// <summary>Reads each request and then waits until the client gives up (or the node stops), never answering.</summary>
    public static Task<TxPushNode> NeverAnsweringAsync() =>
        StartAsync(async (_, cancellationToken) =>
        {
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // The client hung up or the test is over; there is nothing to send.
            }
        });

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }

    private static async Task<TxPushNode> StartAsync(Func<HttpContext, CancellationToken, Task> answer)
    {
        var node = new TxPushNode(answer);
        await node._app.StartAsync();
        return node;
    }
}
