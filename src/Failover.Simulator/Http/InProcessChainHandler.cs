using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Failover.Simulator.Chain;

namespace Failover.Simulator.Http;

/// <summary>
/// The chain API of a <see cref="ChainSimulator"/> as an <see cref="HttpMessageHandler"/>, for fast in-process tests
/// and demos without a socket: <c>new HttpClient(new InProcessChainHandler(simulator))</c>. Same paths, bodies and
/// API faults as the HTTP host; injected latency and timeouts wait on <paramref name="delays"/> (e.g. the fake clock).
/// </summary>
public sealed partial class InProcessChainHandler(ChainSimulator simulator, TimeProvider? delays = null) : HttpMessageHandler
{
    private readonly ChainApi _api = new(simulator);
    private readonly TimeProvider _delays = delays ?? TimeProvider.System;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var match = ChainPath().Match(request.RequestUri?.AbsolutePath ?? string.Empty);
        var node = match.Groups["node"].Success ? match.Groups["node"].Value : simulator.DefaultApiNode;
        if (!match.Success || !simulator.Options.ApiNodes.Contains(node))
        {
            return Response(ChainApi.Error(ChainErrors.UnknownEndpoint()));
        }

        var faults = simulator.ApiFaultsOf(node);
        var injected = await FaultInjection.BeforeAsync(faults, _delays, cancellationToken).ConfigureAwait(false);
        if (injected is not null)
        {
            return Response(injected);
        }

        var body = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return Response(FaultInjection.After(faults, _api.Handle(node, match.Groups["endpoint"].Value, body)));
    }

    private static HttpResponseMessage Response(ChainApiResponse response) => new((HttpStatusCode)response.Status)
    {
        Content = new ByteArrayContent(response.Body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
    };

    [GeneratedRegex("^(?:/node/(?<node>[^/]+))?/v1/chain/(?<endpoint>[a-z_0-9]+)$")]
    private static partial Regex ChainPath();
}
