using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Failover.Simulator.Chain;

namespace Failover.Simulator.Http;

/// <summary>
/// The chain API of a <see cref="ChainSimulator"/> as an <see cref="HttpMessageHandler"/>, for fast in-process tests
/// and demos without a socket: <c>new HttpClient(new InProcessChainHandler(simulator))</c>. Same paths, bodies and
/// API faults as the HTTP host; injected latency and timeouts wait on <paramref name="delays"/> (e.g. the fake clock).
/// A producer node's own API (<c>/node/{producer}/{dc}/v1/chain/*</c>) throws <see cref="HttpRequestException"/>
/// while the node is down, as a refused connection does.
/// </summary>
public sealed partial class InProcessChainHandler(ChainSimulator simulator, TimeProvider? delays = null) : HttpMessageHandler
{
    private readonly ChainApi _api = new(simulator);
    private readonly TimeProvider _delays = delays ?? TimeProvider.System;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var match = ChainPath().Match(request.RequestUri?.AbsolutePath ?? string.Empty);
        var node = !match.Groups["node"].Success ? simulator.DefaultApiNode
            : match.Groups["dc"].Success ? $"{match.Groups["node"].Value}/{match.Groups["dc"].Value}"
            : match.Groups["node"].Value;
        if (!match.Success || !simulator.HasChainApi(node))
        {
            return Response(ChainApi.Error(ChainErrors.UnknownEndpoint()));
        }

        var endpoint = match.Groups["endpoint"].Value;
        if (match.Groups["dc"].Success)
        {
            // A producer node's own API: what a client of a dead nodeos sees is a refused connection.
            return simulator.IsNodeDown(node)
                ? throw new HttpRequestException(HttpRequestError.ConnectionError, $"Connection refused (simulated: producer node {node} is down)")
                : Response(_api.Handle(node, endpoint, await BodyOf(request, cancellationToken).ConfigureAwait(false)));
        }

        var faults = simulator.ClaimApiFaults(node, endpoint);
        var injected = await FaultInjection.BeforeAsync(faults, _delays, cancellationToken).ConfigureAwait(false);
        if (injected is not null)
        {
            return Response(injected);
        }

        var body = await BodyOf(request, cancellationToken).ConfigureAwait(false);
        return Response(FaultInjection.After(faults, _api.Handle(node, endpoint, body, faults.ErrorCode)));
    }

    private static async Task<string> BodyOf(HttpRequestMessage request, CancellationToken cancellationToken) =>
        request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);

    private static HttpResponseMessage Response(ChainApiResponse response) => new((HttpStatusCode)response.Status)
    {
        Content = new ByteArrayContent(response.Body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
    };

    /// <summary><c>/v1/chain/{endpoint}</c>, <c>/node/{apiNode}/v1/chain/{endpoint}</c>, <c>/node/{producer}/{dc}/v1/chain/{endpoint}</c>.</summary>
    [GeneratedRegex("^(?:/node/(?<node>[^/]+)(?:/(?<dc>(?!v1/)[^/]+))?)?/v1/chain/(?<endpoint>[a-z_0-9]+)$")]
    private static partial Regex ChainPath();
}
