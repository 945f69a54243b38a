using System.Net;
using Failover.EventStore;
using Failover.EventStore.Postgres;
using Failover.Service.Configuration;
using Failover.Service.Hosting;
using Failover.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Npgsql;

namespace Failover.Api.Tests;

/// <summary>
/// issue 18.7: <c>/api/stream</c> under load on the PostgreSQL store. Every client is fed from one subscription to the
/// log — never a database connection per client — so 200 clients leave the store's connections bounded and the
/// service appending; the number of streams is capped (configurable) and a client over the cap gets a problem.
/// </summary>
public sealed class StreamLoadTests : IAsyncLifetime
{
    private readonly string _application = $"failover-streams-{Guid.NewGuid():N}"[..40];
    private string _connectionString = null!;
    private string _schema = null!;
    private ApiRig _rig = null!;
    private PostgresEventStore _store = null!;

    public async Task InitializeAsync()
    {
        _rig = await ApiRig.StartAsync(TimeSpan.Zero, seed: "stream-load");
        _connectionString = await PostgresServer.ConnectionStringAsync();
        _schema = PostgresServer.NewSchema("streams");
        _store = await PostgresEventStore.OpenAsync(new PostgresEventStoreOptions
        {
            ConnectionString = new NpgsqlConnectionStringBuilder(_connectionString) { ApplicationName = _application }.ConnectionString,
            Schema = _schema,
            TimeProvider = _rig.Clock,
        });
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        await PostgresServer.DropSchemaAsync(_connectionString, _schema);
        await _rig.DisposeAsync();
    }

    [Fact]
    public async Task Two_hundred_stream_clients_share_one_subscription_the_store_s_connections_stay_bounded_and_every_client_gets_a_new_event()
    {
        await using var app = await StartAsync(_rig.Settings);
        using var client = app.GetTestClient();
        var readyBefore = (await client.GetAsync(new Uri("/health/ready", UriKind.Relative))).StatusCode;

        var streams = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => OpenStreamAsync(client)));
        try
        {
            Assert.All(streams, s => Assert.Equal("status", s.FirstEvent));
            var connections = await ConnectionsAsync();
            // The store's pool is the bound: the streams add one subscription, not a connection each.
            Assert.True(connections <= PostgresEventStore.DefaultMaxPoolSize, $"{connections} connections to the store with 200 streams open");

            await _store.AppendToStreamAsync("load-test", ExpectedVersion.NoStream, [new EventData(Guid.NewGuid(), "load-tested.v1", "{}"u8.ToArray())]);
            var received = await Task.WhenAll(streams.Select(s => s.NextEventTypeAsync()));
            Assert.All(received, type => Assert.Equal("load-tested.v1", type));
            Assert.Equal(readyBefore, (await client.GetAsync(new Uri("/health/ready", UriKind.Relative))).StatusCode);
        }
        finally
        {
            foreach (var stream in streams)
            {
                stream.Dispose();
            }
        }
    }

    [Fact]
    public async Task A_client_over_the_stream_cap_gets_a_problem_and_a_freed_place_is_taken_again()
    {
        await using var app = await StartAsync(_rig.Settings with { Api = _rig.Settings.Api with { MaxStreams = 2 } });
        using var client = app.GetTestClient();
        var first = await OpenStreamAsync(client);
        using (var second = await OpenStreamAsync(client))
        {
            using var refused = await client.GetAsync(new Uri("/api/stream", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Contains("2 streams", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        first.Dispose();
        using var again = await WaitForPlaceAsync(client);
        Assert.Equal("status", again.FirstEvent);
    }

    [Theory]
    [InlineData("1000000", "ahead of the log")]
    [InlineData("-1", "the position of the last event received")]
    public async Task A_last_event_id_outside_the_log_is_a_problem(string lastEventId, string detail)
    {
        await using var app = await StartAsync(_rig.Settings);
        using var client = app.GetTestClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/stream");
        request.Headers.Add("Last-Event-ID", lastEventId);

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(detail, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private async Task<WebApplication> StartAsync(FailoverSettings settings)
    {
        var app = FailoverApplication.Build(settings, _store, new FailoverHostOptions
        {
            Time = _rig.Clock,
            ChainHandler = _rig.Handler,
            RunObserverAndProcessManager = false,
            ConfigureWebHost = web => web.UseTestServer(),
            ConfigureLogging = _ => { },
        });
        await app.StartAsync();
        return app;
    }

    /// <summary>Connections the store holds open to the server now (its application name is this test's).</summary>
    private async Task<long> ConnectionsAsync()
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1", connection);
        command.Parameters.Add(new() { Value = _application });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<OpenStream> OpenStreamAsync(HttpClient client)
    {
        var response = await client.GetAsync(new Uri("/api/stream", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stream = new OpenStream(response, new StreamReader(await response.Content.ReadAsStreamAsync()));
        stream.FirstEvent = await stream.NextEventTypeAsync();
        return stream;
    }

    private static async Task<OpenStream> WaitForPlaceAsync(HttpClient client)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var response = await client.GetAsync(new Uri("/api/stream", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, limit.Token);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var stream = new OpenStream(response, new StreamReader(await response.Content.ReadAsStreamAsync(limit.Token)));
                stream.FirstEvent = await stream.NextEventTypeAsync();
                return stream;
            }

            response.Dispose();
            await Task.Delay(10, limit.Token); // the server frees the place when it sees the client gone
        }
    }

    private sealed class OpenStream(HttpResponseMessage response, StreamReader reader) : IDisposable
    {
        public string? FirstEvent { get; set; }

        /// <summary>The type (<c>event:</c> line) of the next server-sent event.</summary>
        public async Task<string> NextEventTypeAsync()
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (await reader.ReadLineAsync(limit.Token) is { } line)
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    return line["event: ".Length..];
                }
            }

            throw new EndOfStreamException("the stream ended");
        }

        public void Dispose()
        {
            reader.Dispose();
            response.Dispose();
        }
    }
}
