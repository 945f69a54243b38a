using Failover.Antelope;
using Failover.Antelope.Chain;
using Failover.Domain.Decisions;
using Failover.EventStore;
using Failover.Service.Configuration;
using Failover.Service.Observation;
using Failover.Service.Process;

namespace Failover.Service.Hosting;

/// <summary>One line of <c>failover check</c>'s checklist.</summary>
public sealed record CheckItem(string Name, bool Passed, string Detail);

/// <summary>
/// <c>failover check</c> (issue 18.5): every start-up check of the service, run once against the chain and printed as a
/// checklist — the store, the endpoints (the configured chain, agreeing with each other), the chain's consensus, the
/// signing permission and its links, the signing key, the data centers' keys and finalizer keys registered, the data
/// centers' own nodes, the alert webhooks. Uses the service's own rules (<see cref="SigningPermissionRule"/>,
/// <see cref="FinalizerKeyRule"/>, <see cref="KeyInForce"/>); reads, never writes to the chain. Key material never appears.
/// </summary>
public static class DeploymentCheck
{
    public static async Task<IReadOnlyList<CheckItem>> RunAsync(FailoverSettings settings, HttpMessageHandler chainHandler, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(chainHandler);
        ArgumentNullException.ThrowIfNull(time);
        using var http = new HttpClient(chainHandler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
        var items = new List<CheckItem> { await StoreAsync(settings, time, cancellationToken).ConfigureAwait(false) };
        var endpoints = settings.Endpoints.Select(url => Endpoint(url, http, settings, time)).ToList();
        var (endpointItems, answering) = await EndpointsAsync(settings, endpoints, cancellationToken).ConfigureAwait(false);
        items.AddRange(endpointItems);
        var key = new SigningKeySource(settings.Signer);
        var signingKey = key.TryReadPublicKey(out var publicKey, out var keyProblem) ? publicKey : null;
        items.Add(new("signing key", signingKey is not null, signingKey is not null ? $"reads; its public key is {signingKey}" : keyProblem!));
        if (answering.FirstOrDefault() is not { } chain)
        {
            items.Add(new("chain", false, "no endpoint answered with the configured chain: the chain's checks were not run"));
        }
        else
        {
            items.Add(await ConsensusAsync(settings, chain, cancellationToken).ConfigureAwait(false));
            items.Add(await PermissionAsync(settings, chain, signingKey, cancellationToken).ConfigureAwait(false));
            items.Add(await RegisteredKeyAsync(settings, chain, cancellationToken).ConfigureAwait(false));
            if (settings.Consensus == ConsensusKind.Savanna)
            {
                items.AddRange(await FinalizerKeysAsync(settings, chain, cancellationToken).ConfigureAwait(false));
            }
        }

        foreach (var dc in settings.DataCenters.Where(d => d.Endpoint is not null))
        {
            items.Add(await NodeAsync(dc, Endpoint(dc.Endpoint!, http, settings, time), answering.FirstOrDefault()?.ChainId, cancellationToken).ConfigureAwait(false));
        }

        foreach (var webhook in settings.Alerts.Webhooks)
        {
            items.Add(await WebhookAsync(webhook, settings.Alerts.Timeout, cancellationToken).ConfigureAwait(false));
        }

        return items;
    }

    private sealed record Answering(ChainEndpoint Endpoint, string ChainId, uint Lib);

    private static ChainEndpoint Endpoint(Uri url, HttpClient http, FailoverSettings settings, TimeProvider time) =>
        new(url, new ChainApiClient(http, new ChainApiOptions { BaseAddress = url, Timeout = settings.Observer.RequestTimeout, TimeProvider = time }));

    private static async Task<CheckItem> StoreAsync(FailoverSettings settings, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            await using var store = await StoreOpener.OpenAsync(settings.Store, time, cancellationToken).ConfigureAwait(false);
            return new("store", true, $"{settings.Store} opens; the log holds {await store.ReadHeadPositionAsync(cancellationToken).ConfigureAwait(false) + 1} events");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new("store", false, $"{settings.Store} does not open: {e.Message}");
        }
    }

    /// <summary>Each endpoint's chain, then whether those that answer agree: the same block id at the lowest of their LIBs.</summary>
    private static async Task<(List<CheckItem> Items, List<Answering> Answering)> EndpointsAsync(FailoverSettings settings, List<ChainEndpoint> endpoints, CancellationToken cancellationToken)
    {
        var items = new List<CheckItem>();
        var answering = new List<Answering>();
        foreach (var endpoint in endpoints)
        {
            try
            {
                var info = await endpoint.Client.GetInfoAsync(cancellationToken).ConfigureAwait(false);
                var wrongChain = settings.ChainId is { } configured && info.ChainId != configured.ToString();
                items.Add(new($"endpoint {endpoint.Name}", !wrongChain, wrongChain
                    ? $"serves chain {info.ChainId}, not the configured {settings.ChainId}"
                    : $"head {info.HeadBlockNum}, LIB {info.LastIrreversibleBlockNum}, {info.ServerVersionString ?? info.ServerVersion}"));
                if (!wrongChain)
                {
                    answering.Add(new(endpoint, info.ChainId, info.LastIrreversibleBlockNum));
                }
            }
            catch (Exception e) when (EndpointFailures.Classify(e) is { } reason)
            {
                items.Add(new($"endpoint {endpoint.Name}", false, $"{reason}: {e.Message}"));
            }
        }

        items.Add(await AgreementAsync(endpoints.Count, answering, cancellationToken).ConfigureAwait(false));
        return (items, answering);
    }

    private static async Task<CheckItem> AgreementAsync(int configured, List<Answering> answering, CancellationToken cancellationToken)
    {
        if (answering.Select(a => a.ChainId).Distinct().Count() > 1)
        {
            return new("endpoints agree", false, "the endpoints serve different chains: " + string.Join(", ", answering.Select(a => $"{a.Endpoint.Name} {a.ChainId}")));
        }

        if (answering.Count * 2 <= configured)
        {
            return new("endpoints agree", false, $"{answering.Count} of {configured} endpoints answer with the chain: no majority, so no rotation could pass the endpoints gate");
        }

        var height = answering.Min(a => a.Lib);
        var ids = new List<(string Endpoint, string Id)>();
        foreach (var a in answering)
        {
            try
            {
                ids.Add((a.Endpoint.Name, await a.Endpoint.ReadBlockIdAsync(height, cancellationToken).ConfigureAwait(false)));
            }
            catch (Exception e) when (EndpointFailures.Classify(e) is not null)
            {
                ids.Add((a.Endpoint.Name, $"unreadable ({e.Message})"));
            }
        }

        var majority = ids.GroupBy(i => i.Id).MaxBy(g => g.Count())!;
        return majority.Count() * 2 > configured && majority.Count() == ids.Count
            ? new("endpoints agree", true, $"{ids.Count} of {configured} show block {height} as {majority.Key}")
            : new("endpoints agree", false, $"block {height}: " + string.Join(", ", ids.Select(i => $"{i.Endpoint} {i.Id}")));
    }

    private static async Task<CheckItem> ConsensusAsync(FailoverSettings settings, Answering chain, CancellationToken cancellationToken)
    {
        var block = await chain.Endpoint.ReadBlockAsync(chain.Lib, irreversibleUpTo: chain.Lib, cancellationToken).ConfigureAwait(false);
        var kind = block.IsSavanna ? ConsensusKind.Savanna : ConsensusKind.Legacy;
        return new("consensus", kind == settings.Consensus, kind == settings.Consensus
            ? $"{kind}, as configured (block {block.Number})"
            : $"the chain's block headers show {kind}; the configuration says {settings.Consensus}");
    }

    private static async Task<CheckItem> PermissionAsync(FailoverSettings settings, Answering chain, PublicKey? signingKey, CancellationToken cancellationToken)
    {
        var name = $"permission {settings.Producer}@{settings.Signer.Permission}";
        var account = await chain.Endpoint.Client.GetAccountAsync(settings.Producer.ToString(), cancellationToken).ConfigureAwait(false);
        var problems = ProcessManager.PermissionProblems(account, settings, signingKey);
        return problems.Count == 0
            ? new(name, true, $"dedicated, linked to {string.Join(", ", SigningPermissionRule.RotationActions(settings.Consensus))}, satisfied by the signing key")
            : new(name, false, string.Join("; ", problems.Select(p => p.Text)));
    }

    private static async Task<CheckItem> RegisteredKeyAsync(FailoverSettings settings, Answering chain, CancellationToken cancellationToken)
    {
        var rows = await chain.Endpoint.Client.GetProducerRowsAsync(settings.Producer.ToString(), 1, cancellationToken).ConfigureAwait(false);
        if (rows.Rows.FirstOrDefault(r => r.Owner == settings.Producer.ToString()) is not { } row)
        {
            return new("registered key", false, $"{settings.Producer} is not in the producers table");
        }

        var inForce = settings.DataCenters.FirstOrDefault(d => PublicKey.TryParse(row.ProducerKey, out var key, out _) && key == d.SigningKey);
        return inForce is not null
            ? new("registered key", true, $"the producers table shows {inForce.Name}'s key")
            : new("registered key", false, $"the producers table shows {row.ProducerKey}, which is no configured data center's signing key");
    }

    private static async Task<IEnumerable<CheckItem>> FinalizerKeysAsync(FailoverSettings settings, Answering chain, CancellationToken cancellationToken)
    {
        var registration = await chain.Endpoint.Client.GetFinalizerKeysAsync(settings.Producer.ToString(), cancellationToken).ConfigureAwait(false);
        var ours = new OurFinalizerKeys([.. registration.Keys.Select(k => k.FinalizerKey)], registration.Active?.FinalizerKey);
        return settings.DataCenters.Select(dc => dc.FinalizerKey is not { } key
            ? new CheckItem($"finalizer key {dc.Name}", false, "no FinalizerKey configured: on Savanna a rotation to it would leave it without votes")
            : FinalizerKeyRule.StatusOf(key, ours) switch
            {
                FinalizerKeyStatus.Active => new CheckItem($"finalizer key {dc.Name}", true, "registered to our producer, active"),
                FinalizerKeyStatus.Registered => new CheckItem($"finalizer key {dc.Name}", true, "registered to our producer"),
                FinalizerKeyStatus.NotRegistered => new CheckItem($"finalizer key {dc.Name}", false, $"{key} is not registered to {settings.Producer}: register it (eosio::regfinkey)"),
                _ => new CheckItem($"finalizer key {dc.Name}", false, "our producer's finalizer keys could not be read"),
            });
    }

    private static async Task<CheckItem> NodeAsync(DataCenter dc, ChainEndpoint node, string? chainId, CancellationToken cancellationToken)
    {
        try
        {
            var info = await node.Client.GetInfoAsync(cancellationToken).ConfigureAwait(false);
            var same = chainId is null || info.ChainId == chainId;
            return new($"node {dc.Name}", same, same ? $"{node.Name} answers, head {info.HeadBlockNum}" : $"{node.Name} serves chain {info.ChainId}");
        }
        catch (Exception e) when (EndpointFailures.Classify(e) is { } reason)
        {
            return new($"node {dc.Name}", false, $"{node.Name}: {reason}: {e.Message}");
        }
    }

    /// <summary>A webhook answers when its server responds at all below 500 (a GET is not how it is used, so a 4xx is fine); nothing is posted.</summary>
    private static async Task<CheckItem> WebhookAsync(WebhookSettings webhook, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = timeout };
        try
        {
            using var response = await http.GetAsync(webhook.Url, cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            return new($"webhook {webhook.Name}", status < 500, $"{webhook.Url.Host} answers {status}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return new($"webhook {webhook.Name}", false, $"{webhook.Url.Host} does not answer: {e.Message}");
        }
    }
}
