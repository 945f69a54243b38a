using System.Net;
using System.Text;

namespace Failover.Antelope.Tests.Chain;

/// <summary>A request the client sent, as the fake node saw it.</summary>
internal sealed record SentRequest(HttpMethod Method, Uri Uri, string Body, string? ContentType);

/// <summary>
/// An in-memory nodeos: records every request and answers with <paramref name="respond"/>, which receives the
/// 1-based number of the request.
/// </summary>
internal sealed class FakeNodeosHandler(Func<int, CancellationToken, Task<HttpResponseMessage>> respond) : HttpMessageHandler
{
    private readonly List<SentRequest> requests = [];

    public IReadOnlyList<SentRequest> Requests
    {
        get
        {
            lock (requests)
            {
                return [.. requests];
            }
        }
    }

    /// <summary>Answers every request with the same status and body.</summary>
    public static FakeNodeosHandler Always(int status, string body) =>
        new((_, _) => Task.FromResult(Response(status, body)));

    /// <summary>Gives the answers in turn, repeating the last one.</summary>
    public static FakeNodeosHandler Replay(params (int Status, string Body)[] answers) =>
        new((n, _) =>
        {
            var (status, body) = answers[Math.Min(n, answers.Length) - 1];
            return Task.FromResult(Response(status, body));
        });

    public static HttpResponseMessage Response(int status, string body, string mediaType = "application/json") =>
        new((HttpStatusCode)status) { Content = new StringContent(body, Encoding.UTF8, mediaType) };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
        int number;
        lock (requests)
        {
            requests.Add(new SentRequest(request.Method, request.RequestUri!, body, request.Content?.Headers.ContentType?.MediaType));
            number = requests.Count;
        }

        return await respond(number, cancellationToken);
    }
}
