using System.IO.Compression;
using System.Globalization;
using System.Numerics;
using Failover.Antelope;
using Failover.Antelope.SystemContract;
using Failover.Antelope.Transactions;
using Failover.Simulator.Chain;
using Failover.Simulator.Contract;

namespace Failover.Simulator.Tests;

public sealed class TransactionTests
{
    private readonly TestChain _chain = new();

    public TransactionTests() => _chain.AdvanceSlots(20);

    private RegProducer RotateToDc2 => new(TestChain.Ours, _chain.Node("failover.bp/dc2").SigningKey.PublicKey, "https://failover.bp.example", 0);

    [Fact]
    public void A_regproducer_signed_with_the_linked_failover_permission_lands_in_the_next_block_and_only_then_shows_in_the_producers_table()
    {
        var dc1 = _chain.Node("failover.bp/dc1").SigningKey.PublicKey;

        var accepted = _chain.Simulator.Push(_chain.RegisterOurKey("dc2"));

        Assert.Equal(_chain.State.Head.Number + 1, accepted.BlockNum);
        Assert.Equal(dc1, _chain.State.Contract.Producers[TestChain.Ours].ProducerKey);
        Assert.Equal(accepted, Assert.Single(_chain.State.PendingTransactions));

        _chain.AdvanceSlots(1);
        Assert.Equal(accepted.Included.Id, Assert.Single(_chain.State.Head.Transactions).Id);
        var row = _chain.State.Contract.Producers[TestChain.Ours];
        Assert.Equal(_chain.Node("failover.bp/dc2").SigningKey.PublicKey, row.ProducerKey);
        Assert.True(row.IsActive);
    }

    [Fact]
    public void The_active_permission_satisfies_an_action_linked_to_its_child_permission()
    {
        _chain.Simulator.Push(_chain.Sign(RotateToDc2, "failover.bp", "active", _chain.AccountKey("failover.bp", "active")));
        _chain.AdvanceSlots(1);

        Assert.Equal(_chain.Node("failover.bp/dc2").SigningKey.PublicKey, _chain.State.Contract.Producers[TestChain.Ours].ProducerKey);
    }

    [Fact]
    public void A_signature_by_the_wrong_key_is_an_unsatisfied_authorization()
    {
        var error = Rejected(_chain.Sign(RotateToDc2, "failover.bp", "failover", _chain.AccountKey("prod.a", "active")));

        Assert.Equal(3090003, error.Code);
        Assert.Equal("unsatisfied_authorization", error.ErrorName);
        Assert.Contains("'{\"actor\":\"failover.bp\",\"permission\":\"failover\"}'", error.Message, StringComparison.Ordinal);
        Assert.Equal(500, error.HttpStatus);
    }

    [Fact]
    public void The_failover_permission_cannot_authorize_an_action_it_is_not_linked_to()
    {
        var error = Rejected(_chain.Sign(new UnregProd(TestChain.Ours), "failover.bp", "failover", _chain.AccountKey("failover.bp", "failover")));

        Assert.Equal(3090005, error.Code);
        Assert.Contains("minimum authority is {\"actor\":\"failover.bp\",\"permission\":\"active\"}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Acting_for_another_producer_is_a_missing_authority()
    {
        var other = new RegProducer(Name.Parse("prod.a"), _chain.Node("failover.bp/dc2").SigningKey.PublicKey, "https://x.example", 0);

        Assert.Equal(3090004, Rejected(_chain.Sign(other, "failover.bp", "failover", _chain.AccountKey("failover.bp", "failover"))).Code);
    }

    [Fact]
    public void An_expired_transaction_is_rejected_with_nodeos_text()
    {
        var error = Rejected(_chain.Sign(RotateToDc2, "failover.bp", "failover", _chain.AccountKey("failover.bp", "failover"), expiresIn: TimeSpan.FromSeconds(-5)));

        Assert.Equal(3040005, error.Code);
        Assert.StartsWith("transaction has expired, expiration is ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_expiration_more_than_an_hour_ahead_is_rejected()
    {
        Assert.Equal(3040006, Rejected(_chain.Sign(RotateToDc2, "failover.bp", "failover", _chain.AccountKey("failover.bp", "failover"), expiresIn: TimeSpan.FromHours(2))).Code);
    }

    [Fact]
    public void A_reference_block_from_another_branch_fails_TaPoS()
    {
        var foreign = BlockId.FromDigest(Checksum256.Hash("elsewhere"u8), _chain.State.Head.Number - 3);

        var error = Rejected(_chain.Sign(RotateToDc2, "failover.bp", "failover", _chain.AccountKey("failover.bp", "failover"), refBlock: foreign));

        Assert.Equal(3040007, error.Code);
        Assert.EndsWith("Is this transaction from a different fork?", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_transaction_twice_is_a_duplicate()
    {
        var transaction = _chain.RegisterOurKey("dc2");
        _chain.Simulator.Push(transaction);
        _chain.AdvanceSlots(3);

        var error = Rejected(transaction);

        Assert.Equal(3040008, error.Code);
        Assert.Equal($"duplicate transaction {Transaction.Unpack(Convert.FromHexString(transaction.PackedTrx)).Id}", error.Message);
    }

    [Fact]
    public void Garbage_packed_bytes_are_a_packed_transaction_error()
    {
        var valid = _chain.RegisterOurKey("dc2");

        Assert.Equal(3010010, Rejected(valid with { PackedTrx = "00ff" }).Code);
        Assert.Equal(3010010, Rejected(valid with { PackedTrx = "not hex" }).Code);
    }

    [Fact]
    public void Undecodable_action_data_is_invalid_action_arguments()
    {
        var state = _chain.State;
        var action = new ChainAction(SystemActions.Eosio, Name.Parse("regproducer"), [new PermissionLevel(TestChain.Ours, Name.Parse("failover"))], [1, 2, 3]);
        var transaction = Transaction.Create(state.LastIrreversibleBlock.Id, DateTimeOffset.FromUnixTimeSeconds(state.Head.Timestamp.ToUnixTimeSeconds() + 60), [action]);

        Assert.Equal(3050002, Rejected(TransactionSigner.Sign(transaction, state.ChainId, [_chain.AccountKey("failover.bp", "failover")])).Code);
    }

    [Fact]
    public void A_contract_check_failure_is_an_eosio_assert()
    {
        var longUrl = new RegProducer(TestChain.Ours, _chain.Node("failover.bp/dc2").SigningKey.PublicKey, new string('x', 600), 0);

        var error = Rejected(_chain.Sign(longUrl, "failover.bp", "failover", _chain.AccountKey("failover.bp", "failover")));

        Assert.Equal(3050003, error.Code);
        Assert.Equal("assertion failure with message: url too long", error.Message);
    }

    [Fact]
    public void Unregprod_deactivates_the_row_and_clears_the_key()
    {
        _chain.Simulator.Push(_chain.Sign(new UnregProd(TestChain.Ours), "failover.bp", "active", _chain.AccountKey("failover.bp", "active")));
        _chain.AdvanceSlots(1);

        var row = _chain.State.Contract.Producers[TestChain.Ours];
        Assert.False(row.IsActive);
        Assert.Equal(PublicKey.Zero, row.ProducerKey);
        Assert.Null(row.ProducerAuthority);
    }

    [Fact]
    public void Regproducer2_with_one_key_sets_the_authority_and_the_legacy_key()
    {
        var key = _chain.Node("failover.bp/dc2").SigningKey.PublicKey;
        var action = new RegProducer2(TestChain.Ours, new BlockSigningAuthority(1, [new KeyWeight(key, 1)]), "https://failover.bp.example", 0);

        _chain.Simulator.Push(_chain.Sign(action, "failover.bp", "failover", _chain.AccountKey("failover.bp", "failover")));
        _chain.AdvanceSlots(1);

        var row = _chain.State.Contract.Producers[TestChain.Ours];
        Assert.Equal(key, row.ProducerKey);
        Assert.Equal(key, row.ProducerAuthority!.Keys.Single().Key);
    }

    [Fact]
    public void Actfinkey_activates_a_registered_finalizer_key_and_the_finalizer_policy_follows()
    {
        var dc2Key = _chain.Node("failover.bp/dc2").FinalizerKey!;

        _chain.Simulator.Push(_chain.Sign(new ActFinKey(TestChain.Ours, dc2Key), "failover.bp", "failover", _chain.AccountKey("failover.bp", "failover")));
        _chain.AdvanceSlots(1);
        Assert.Equal(dc2Key, _chain.State.Contract.ActiveFinalizerKey(TestChain.Ours));

        _chain.AdvanceSlots(4);
        Assert.Contains(new Finalizer(TestChain.Ours, dc2Key), _chain.State.Finalizers.Finalizers);
    }

    [Fact]
    public void Actfinkey_with_an_unregistered_key_is_an_eosio_assert()
    {
        var error = Rejected(_chain.Sign(new ActFinKey(TestChain.Ours, _chain.Node("prod.a/dc1").FinalizerKey!), "failover.bp", "failover", _chain.AccountKey("failover.bp", "failover")));

        Assert.Equal(3050003, error.Code);
    }

    [Fact]
    public void A_non_canonical_signature_that_still_recovers_the_right_key_is_an_fc_assert()
    {
        var valid = _chain.RegisterOurKey("dc2");
        var highS = HighS(Signature.Parse(valid.Signatures[0]));
        Assert.False(highS.IsCanonical);

        var error = Rejected(valid with { Signatures = [highS.ToString()] });

        Assert.Equal(10, error.Code);
        Assert.Equal("assert_exception", error.ErrorName);
        Assert.Equal("Assert Exception", error.What);
        Assert.Equal("is_canonical( c ): signature is not canonical", error.Message);
        Assert.Equal(500, error.HttpStatus);
    }

    [Fact]
    public void The_same_signature_twice_is_a_duplicate_signature()
    {
        var valid = _chain.RegisterOurKey("dc2");

        var error = Rejected(valid with { Signatures = [valid.Signatures[0], valid.Signatures[0]] });

        Assert.Equal(3090001, error.Code);
        Assert.Equal("tx_duplicate_sig", error.ErrorName);
        Assert.Equal(
            $"transaction includes more than one signature signed using the same key associated with public key: {_chain.AccountKey("failover.bp", "failover").PublicKey.ToLegacyString()}",
            error.Message);
    }

    [Fact]
    public void A_signature_from_a_key_no_declared_authority_needs_is_an_irrelevant_signature()
    {
        var state = _chain.State;
        var transaction = Transaction.Unpack(Convert.FromHexString(_chain.RegisterOurKey("dc2").PackedTrx));
        var stranger = _chain.AccountKey("prod.a", "active");

        var error = Rejected(TransactionSigner.Sign(transaction, state.ChainId, [_chain.AccountKey("failover.bp", "failover"), stranger]));

        Assert.Equal(3090002, error.Code);
        Assert.Equal("tx_irrelevant_sig", error.ErrorName);
        Assert.Equal($"transaction bears irrelevant signatures from these keys: [\"{stranger.PublicKey.ToLegacyString()}\"]", error.Message);
    }

    [Fact]
    public void A_delayed_transaction_is_rejected_because_deferred_transactions_are_disabled()
    {
        var state = _chain.State;
        var transaction = Transaction.Unpack(Convert.FromHexString(_chain.RegisterOurKey("dc2").PackedTrx)) with { DelaySec = 10 };

        var error = Rejected(TransactionSigner.Sign(transaction, state.ChainId, [_chain.AccountKey("failover.bp", "failover")]));

        Assert.Equal(3040000, error.Code);
        Assert.Equal("transaction_exception", error.ErrorName);
        Assert.Equal("transaction cannot be delayed", error.Message);
    }

    [Fact]
    public void The_url_limit_counts_utf8_bytes_not_characters()
    {
        var url = new string('\u00e9', 300);
        var action = new RegProducer(TestChain.Ours, _chain.Node("failover.bp/dc2").SigningKey.PublicKey, url, 0);

        var error = Rejected(_chain.Sign(action, "failover.bp", "failover", _chain.AccountKey("failover.bp", "failover")));

        Assert.Equal("assertion failure with message: url too long", error.Message);
    }

    [Fact]
    public void A_transaction_signed_over_context_free_data_is_requeued_on_the_winning_branch_after_a_fork_switch()
    {
        var before = _chain.State;
        const string contextFreeData = "0102abcd";
        _chain.Simulator.Push(SignedOverContextFreeData(contextFreeData));
        var loser = _chain.State;

        var (winner, requeued) = ForkSwitch.Requeue(before, loser, _chain.Time.GetUtcNow());

        Assert.Equal(1, requeued);
        Assert.Equal(contextFreeData, Assert.Single(winner.PendingTransactions).Included.Packed.PackedContextFreeData);
    }

    [Fact]
    public void A_zlib_body_has_its_context_free_data_inflated_before_the_signing_digest()
    {
        var signed = SignedOverContextFreeData("0102abcd");

        var accepted = _chain.Simulator.Push(signed with { Compression = 1, PackedTrx = Deflate(signed.PackedTrx), PackedContextFreeData = Deflate(signed.PackedContextFreeData) });

        Assert.Equal(Transaction.Unpack(Convert.FromHexString(signed.PackedTrx)).Id, accepted.Included.Id);
    }

    /// <summary>Our regproducer signed with the failover key over <paramref name="contextFreeData"/> (a packed vector of bytes).</summary>
    private PackedTransaction SignedOverContextFreeData(string contextFreeData)
    {
        var unsigned = _chain.RegisterOurKey("dc2");
        var contextFreeDigest = Checksum256.Hash(Convert.FromHexString(contextFreeData));
        var digest = Checksum256.Hash([.. _chain.State.ChainId.AsSpan(), .. Convert.FromHexString(unsigned.PackedTrx), .. contextFreeDigest.AsSpan()]);
        var signature = _chain.AccountKey("failover.bp", "failover").SignDigest(digest.AsSpan()).ToString();
        return unsigned with { Signatures = [signature], PackedContextFreeData = contextFreeData };
    }

    private static string Deflate(string hex)
    {
        using var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.Optimal))
        {
            zlib.Write(Convert.FromHexString(hex));
        }

        return Convert.ToHexStringLower(output.ToArray());
    }

    /// <summary>The same signature with s replaced by n − s and the other recovery id: it recovers the same key but is not canonical.</summary>
    private static Signature HighS(Signature signature)
    {
        var order = BigInteger.Parse("0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        var bytes = signature.Bytes.ToArray();
        var s = new BigInteger(bytes.AsSpan(33, 32), isUnsigned: true, isBigEndian: true);
        var flipped = (order - s).ToByteArray(isUnsigned: true, isBigEndian: true);
        bytes[0] = (byte)(27 + 4 + (((bytes[0] - 27) & 3) ^ 1));
        bytes.AsSpan(33).Clear();
        flipped.CopyTo(bytes.AsSpan(65 - flipped.Length));
        return Signature.FromBytes(bytes);
    }

    private ChainException Rejected(PackedTransaction transaction)
    {
        var before = _chain.State;
        var error = Assert.Throws<ChainException>(() => _chain.Simulator.Push(transaction));
        Assert.Same(before.Contract, _chain.State.Contract);
        Assert.Same(before.PendingTransactions, _chain.State.PendingTransactions);
        return error;
    }
}
