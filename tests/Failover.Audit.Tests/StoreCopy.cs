using Failover.EventStore;

namespace Failover.Audit.Tests;

internal static class StoreCopy
{
    /// <summary>The demo's events into another store, each in its stream and in log order, with the same ids, types, metadata and payloads.</summary>
    public static async Task CopyEventsAsync(IEventStore source, IEventStore target)
    {
        var batch = new List<RecordedEvent>();
        async Task FlushAsync()
        {
            if (batch.Count == 0)
            {
                return;
            }

            var expected = batch[0].Version == 0 ? ExpectedVersion.NoStream : ExpectedVersion.Exact(batch[0].Version - 1);
            await target.AppendToStreamAsync(batch[0].Stream, expected, [.. batch.Select(e => new EventData(e.EventId, e.Type, e.Payload, e.Metadata))]);
            batch.Clear();
        }

        await foreach (var e in source.ReadAllAsync(1))
        {
            if (batch.Count > 0 && (batch[0].Stream != e.Stream || batch.Count == 100))
            {
                await FlushAsync();
            }

            batch.Add(e);
        }

        await FlushAsync();
    }

}
