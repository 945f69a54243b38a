using System.Text.Json;
using Failover.Antelope.Chain;
using Failover.Antelope.Chain.Wire;
using Failover.Antelope.Transactions;
using static Failover.Antelope.Tests.Chain.ChainJson;

namespace Failover.Antelope.Tests.Chain;

/// <summary>
/// What one push's answer proves (<see cref="TransactionPush"/>): taken, already known, not applied for a cause that may
/// pass (so the same bytes may go out again), refused for good, or nothing at all.
/// </summary>
public sealed class TransactionPushTests
{
    private static PackedTransaction SignedRegProducer =>
        ChainFixture.Load("push_transaction.request_constructed.json").RequestJson.Deserialize(Json.PackedTransaction)!;

    private static string TransactionId => Transaction.Unpack(Convert.FromHexString(SignedRegProducer.PackedTrx)).Id.ToString();

    public static TheoryData<string, int, PushOutcomeKind> Fixtures => new()
    {
        { "error.push_transaction.duplicate_500.json", 500, PushOutcomeKind.Duplicate },
        { "error.push_transaction.invalid_ref_block_500.json", 500, PushOutcomeKind.NotApplied },
        { "error.busy_503.json", 503, PushOutcomeKind.NotApplied },
        { "error.unknown_endpoint_404.json", 404, PushOutcomeKind.NotApplied },
        { "error.push_transaction.expired_500.json", 500, PushOutcomeKind.Rejected },
        { "error.push_transaction.unsatisfied_authorization_500.json", 500, PushOutcomeKind.Rejected },
        { "error.push_transaction.eosio_assert_500.json", 500, PushOutcomeKind.Rejected },
        { "error.internal_500.json", 500, PushOutcomeKind.Unknown },
    };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task A_nodeos_error_body_says_what_it_proves(string fixture, int status, PushOutcomeKind expected)
    {
        var outcome = await PushAsync(FakeNodeosHandler.Always(status, ChainFixture.Load(fixture).ResponseText));

        Assert.Equal(expected, outcome.Kind);
        Assert.Equal(TransactionId, outcome.TransactionId);
    }

    [Theory]
    [InlineData(3080004, "tx_cpu_usage_exceeded", PushOutcomeKind.NotApplied)]
    [InlineData(3080002, "tx_net_usage_exceeded", PushOutcomeKind.NotApplied)]
    [InlineData(3080006, "deadline_exception", PushOutcomeKind.NotApplied)]
    [InlineData(3081001, "leeway_deadline_exception", PushOutcomeKind.NotApplied)]
    [InlineData(3080001, "ram_usage_exceeded", PushOutcomeKind.Rejected)]
    [InlineData(3090004, "missing_auth_exception", PushOutcomeKind.Rejected)]
    [InlineData(3040006, "tx_exp_too_far_exception", PushOutcomeKind.Rejected)]
    public async Task Resource_and_deadline_refusals_prove_the_transaction_was_not_applied_and_may_pass(long code, string name, PushOutcomeKind expected)
    {
        var body = $$$"""{"code":500,"message":"Internal Service Error","error":{"code":{{{code}}},"name":"{{{name}}}","what":"refused","details":[{"message":"m","file":"f","line_number":1,"method":"x"}] } }""";

        var outcome = await PushAsync(FakeNodeosHandler.Always(500, body));

        Assert.Equal(expected, outcome.Kind);
        Assert.Equal(code, outcome.Error!.Code);
        Assert.Contains(name, outcome.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_connection_sent_nothing_but_a_reset_one_proves_nothing()
    {
        var refused = await PushAsync(new FakeNodeosHandler((_, _) => throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused")));
        var reset = await PushAsync(new FakeNodeosHandler((_, _) => throw new HttpRequestException(HttpRequestError.ResponseEnded, "Connection reset by peer")));

        Assert.Equal(PushOutcomeKind.NotApplied, refused.Kind);
        Assert.Contains("nothing was sent", refused.Explanation, StringComparison.Ordinal);
        Assert.Equal(PushOutcomeKind.Unknown, reset.Kind);
    }

    [Fact]
    public async Task An_acceptance_of_the_signed_id_is_accepted_and_of_another_id_proves_nothing()
    {
        var answer = ChainFixture.Load("push_transaction.setabi_202.json").ResponseText;
        var answeredId = JsonDocument.Parse(answer).RootElement.GetProperty("transaction_id").GetString()!;

        var accepted = await PushAsync(FakeNodeosHandler.Always(202, answer), answeredId);
        var other = await PushAsync(FakeNodeosHandler.Always(202, answer));

        Assert.Equal(PushOutcomeKind.Accepted, accepted.Kind);
        Assert.Equal(PushOutcomeKind.Unknown, other.Kind);
    }

    private static Task<PushOutcome> PushAsync(FakeNodeosHandler handler, string? transactionId = null) =>
        TransactionPush.PushOnceAsync(
            new ChainApiClient(new HttpClient(handler), new ChainApiOptions { BaseAddress = new Uri("http://node.test:8888"), Timeout = TimeSpan.FromSeconds(5) }),
            SignedRegProducer,
            transactionId ?? TransactionId,
            CancellationToken.None);
}
