using Failover.EventStore.Projections;

namespace Failover.EventStore.Tests;

/// <summary>Read models list their documents by id range in byte order (rounds newest first, failovers by number).</summary>
public abstract partial class EventStoreAcceptanceTests
{
    [Fact]
    public async Task Documents_of_a_projection_list_by_id_range_in_byte_order_both_ways_up_to_the_limit()
    {
        foreach (var stream in new[] { "s-04", "s-01", "S-02", "s-03", "s-02", "t-01" })
        {
            await Store.AppendToStreamAsync(stream, ExpectedVersion.Any, [_events.Event()]);
        }

        await new ProjectionRunner(Store, Projections).CatchUpAsync(new CountingProjection());
        await new ProjectionRunner(Store, Projections).CatchUpAsync(new CountingProjection("other"));

        var descending = await Projections.ReadDocumentsAsync("counting", "stream:s-02", "stream:s-04", 10, descending: true);
        var ascending = await Projections.ReadDocumentsAsync("counting", "stream:", "stream:\uffff", 10, descending: false);
        var limited = await Projections.ReadDocumentsAsync("counting", "stream:s-01", "stream:s-04", 2, descending: true);
        var empty = await Projections.ReadDocumentsAsync("counting", "stream:s-04", "stream:s-01", 10, descending: false);

        Assert.Equal(["stream:s-04", "stream:s-03", "stream:s-02"], descending.Select(d => d.Id));
        // Byte order: 'S' (0x53) sorts before every lower-case letter, unlike a culture's order.
        Assert.Equal(["stream:S-02", "stream:s-01", "stream:s-02", "stream:s-03", "stream:s-04", "stream:t-01"], ascending.Select(d => d.Id));
        Assert.Equal(["stream:s-04", "stream:s-03"], limited.Select(d => d.Id));
        Assert.Empty(empty);
        Assert.Equal(1, System.Text.Json.JsonSerializer.Deserialize(descending[0].Body, TestJsonContext.Default.Counter)!.Count);
    }

    [Fact]
    public async Task Listing_documents_needs_a_positive_limit()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Projections.ReadDocumentsAsync("counting", "a", "z", 0, descending: false));
    }
}
