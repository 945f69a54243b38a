using System.Text;
using Failover.Audit;
using Failover.Audit.Replay;
using Failover.Audit.Retention;
using Failover.Audit.Verification;
using Failover.Domain.Events;
using Failover.Domain.ReadModels;
using Failover.EventStore;
using Microsoft.Data.Sqlite;

namespace Failover.Service.Tests;

/// <summary>
/// Issue 18.6: the retention policy on a log the service wrote. 35 quiet minutes, then dc1 fails and the service rotates;
/// compaction deletes the old observations, and what the read models show, what `audit verify` proves and what the
/// service does next stay as they were — including a decision taken right after a compacted stretch, and a service that
/// restarts on the compacted store and goes on appending to streams whose versions now have holes.
/// </summary>
public sealed class CompactionScenarioTests
{
    private static readonly TimeSpan Protect = TimeSpan.FromMinutes(2);

    private static async Task<ServiceRig> FailedOverAfterQuietMinutesAsync(TimeSpan quiet, string? postgresSchema = null)
    {
        var rig = await ServiceRig.StartAsync(new RigOptions { PostgresSchema = postgresSchema });
        await rig.StepAsync();
        await rig.RunForAsync(quiet);
        await rig.RunUntilJustBeforeOurWindowAsync();
        rig.Simulator.SetNodeDown(Scenario.Dc1, true);
        await rig.RunUntilAsync(() => Scenario.Completed(rig), TimeSpan.FromMinutes(5), "failover completed");
        await rig.RunForAsync(TimeSpan.FromMinutes(3));
        return rig;
    }

    private static Task<CompactionReport> CompactAsync(ServiceRig rig) =>
        LogCompactor.CompactAsync(rig.Store, (ILogCompaction)rig.Store, new CompactionRequest(ServiceRig.OursText, rig.Clock.GetUtcNow(), Protect, rig.Clock.GetUtcNow()));

    private static List<string> Documents(MemoryDocuments documents) =>
        [.. documents.Documents().Select(d => d.Id + " " + Encoding.UTF8.GetString(d.Json))];

    [Fact]
    public async Task Compaction_keeps_the_read_models_and_the_audit_and_the_service_runs_on_from_the_compacted_store()
    {
        await using var rig = await FailedOverAfterQuietMinutesAsync(TimeSpan.FromMinutes(35));
        var verified = await Verifier.VerifyAsync(rig.Store);
        var replayed = await Replayer.ReplayAsync(rig.Store, ServiceRig.OursText);
        Assert.True(verified.Holds, string.Join("\n", verified.Problems));

        var report = await CompactAsync(rig);

        Assert.True(report.Rounds >= 8, $"{report.Rounds} rounds compacted");
        Assert.True(report.Removed > 2000, $"{report.Removed} events compacted");
        var after = await Verifier.VerifyAsync(rig.Store);
        Assert.True(after.Holds, string.Join("\n", after.Problems));
        Assert.Equal((verified.Decisions, verified.DecisionsRederived, verified.EvidenceRebuilt, verified.RotationStepsChecked, verified.ProcessEventsRederived),
            (after.Decisions, after.DecisionsRederived, after.EvidenceRebuilt, after.RotationStepsChecked, after.ProcessEventsRederived));
        Assert.True(after.ChainEventsRederived > 0);
        Assert.Contains(after.Warnings, w => w.Contains("deleted by compaction", StringComparison.Ordinal));
        var rebuilt = await Replayer.ReplayAsync(rig.Store, ServiceRig.OursText);
        Assert.Equal(Documents(replayed.Participation), Documents(rebuilt.Participation));
        Assert.Equal(Documents(replayed.FailoverHistory), Documents(rebuilt.FailoverHistory));

        // The service restarts on the compacted store, records on, and fails over again (dc2 fails: back to dc1).
        rig.Kill(0);
        rig.Simulator.SetNodeDown(Scenario.Dc1, false);
        await rig.RestartAsync(0);
        await rig.RunForAsync(new Domain.Decisions.FailoverPolicy().Cooldown + TimeSpan.FromMinutes(1));
        await rig.RunUntilJustBeforeOurWindowAsync();
        rig.Simulator.SetNodeDown(Scenario.Dc2, true);
        await rig.RunUntilAsync(() => Scenario.Completed(rig, rotations: 2), TimeSpan.FromMinutes(5), "the second failover completed");
        await rig.RunForAsync(TimeSpan.FromMinutes(20));
        var again = await CompactAsync(rig);
        var last = await Verifier.VerifyAsync(rig.Store);
        Assert.True(last.Holds, string.Join("\n", last.Problems));
        Assert.Equal(verified.Decisions + 1, last.DecisionsRederived);
        Assert.Equal(last.Decisions, last.EvidenceRebuilt);
        Assert.True(again.Removed > 0, "the second run compacts what the service recorded after the second failover");
        Assert.True(again.Ranges.Min(r => r.FromPosition) > report.Ranges.Max(r => r.ToPosition));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Projections_that_counted_the_rounds_ignore_their_summaries_and_an_interrupted_run_is_completed_by_the_next(string store)
    {
        await using var rig = await FailedOverAfterQuietMinutesAsync(TimeSpan.FromMinutes(25), store == "postgres" ? PostgresServer.NewSchema("svc_compact") : null);
        var model = new ChainHealthReadModel(ServiceRig.OursText);
        var live = new MemoryDocuments();
        long applied = 0;
        await foreach (var e in rig.Store.ReadAllAsync(1))
        {
            await model.ApplyAsync(AuditLog.Decode(e).Event!, live, default);
            applied = e.Position;
        }

        var counted = Documents(live);
        var stopping = new StopBeforeDelete((ILogCompaction)rig.Store);
        var now = rig.Clock.GetUtcNow();
        await Assert.ThrowsAsync<OperationCanceledException>(() =>
            LogCompactor.CompactAsync(rig.Store, stopping, new CompactionRequest(ServiceRig.OursText, now, Protect, now)));
        Assert.Equal(0, await ((ILogCompaction)rig.Store).ReadCompactedThroughAsync());
        Assert.True((await Verifier.VerifyAsync(rig.Store)).Holds, "an anchor appended but not yet applied verifies");

        var report = await CompactAsync(rig);

        Assert.Equal(1, report.PendingCompleted);
        Assert.True((await Verifier.VerifyAsync(rig.Store)).Holds);
        await foreach (var e in rig.Store.ReadAllAsync(applied + 1))
        {
            if (e.Stream == Streams.Compaction)
            {
                await model.ApplyAsync(AuditLog.Decode(e).Event!, live, default);
            }
        }

        Assert.Equal(counted, Documents(live));
    }

    [Fact]
    public async Task After_compaction_an_edited_or_deleted_kept_event_is_still_caught()
    {
        await using var rig = await FailedOverAfterQuietMinutesAsync(TimeSpan.FromMinutes(25));
        var report = await CompactAsync(rig);
        var events = await rig.Store.ReadAllAsync(1).ToListAsync();
        var range = report.Ranges[0];
        var schedule = events.First(e => e.Type == "producer-schedule-changed.v1");
        var victim = events.First(e => e.Position > range.ToPosition + 2 && e.Type == "block-produced.v1");
        var path = rig.Instances[0].Settings.Store.Target;
        await using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            await connection.OpenAsync();
            var edit = connection.CreateCommand();
            edit.CommandText = "UPDATE events SET payload = CAST(REPLACE(CAST(payload AS TEXT), '\"version\":', '\"version\":9') AS BLOB) WHERE position = $p";
            edit.Parameters.AddWithValue("$p", schedule.Position);
            Assert.Equal(1, await edit.ExecuteNonQueryAsync());
            var delete = connection.CreateCommand();
            delete.CommandText = "DELETE FROM events WHERE position = $p";
            delete.Parameters.AddWithValue("$p", victim.Position);
            Assert.Equal(1, await delete.ExecuteNonQueryAsync());
        }

        // A forger with write access deletes a decision and appends an anchor that names it, with the right link.
        var decision = events.First(e => e.Type == "failover-triggered.v1");
        var after = events.First(e => e.Position == decision.Position + 1);
        var forged = new LogCompacted("forged", decision.Position, decision.Position, ["failover-triggered.v1"], 1,
            [new CompactedStreamRange(decision.Stream, 1, decision.Version, decision.Version)], [new CompactedLink(after.Position, Convert.ToHexStringLower(decision.Hash.Span))],
            new string('0', 64), 0, 0, 0, rig.Clock.GetUtcNow(), rig.Clock.GetUtcNow());
        await rig.Store.AppendToStreamAsync(Streams.Compaction, ExpectedVersion.Any,
            [new EventData(Guid.NewGuid(), "log-compacted.v1", EventCatalogue.Serialize(forged))]);
        await using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            await connection.OpenAsync();
            var delete = connection.CreateCommand();
            delete.CommandText = "DELETE FROM events WHERE position = $p";
            delete.Parameters.AddWithValue("$p", decision.Position);
            Assert.Equal(1, await delete.ExecuteNonQueryAsync());
        }

        var verified = await Verifier.VerifyAsync(rig.Store);

        Assert.Contains(verified.Problems, p => p.Position == schedule.Position && p.Check == AuditCheck.HashChain);
        Assert.Contains(verified.Problems, p => p.Position == victim.Position && p.Check == AuditCheck.Position);
        var processVersion = verified.Problems.FirstOrDefault(p => p.Check == AuditCheck.StreamVersion && p.Stream == decision.Stream);
        Assert.True(processVersion is not null, string.Join("\n", verified.Problems));
    }

    /// <summary>A store whose deletion never happens: the run stops between appending the anchor and deleting.</summary>
    private sealed class StopBeforeDelete(ILogCompaction inner) : ILogCompaction
    {
        public Task CompactAsync(long fromPosition, long toPosition, IReadOnlyCollection<string> types, long expectedCount, CancellationToken cancellationToken = default) =>
            throw new OperationCanceledException("stopped before the delete");

        public Task<long> ReadCompactedThroughAsync(CancellationToken cancellationToken = default) => inner.ReadCompactedThroughAsync(cancellationToken);
    }
}
