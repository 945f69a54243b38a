// Appends to an event store in a tight loop until it is killed; the kill -9 tests run it as a child process.
// Usage: CrashWriter sqlite <file> | CrashWriter postgres <connection string> <schema>
// After each committed append it prints "appended <position>" so the test knows the store holds data.
using System.Text;
using Failover.EventStore;
using Failover.EventStore.Postgres;
using Failover.EventStore.Sqlite;

await using IEventStore store = args switch
{
    ["sqlite", var path] => await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { Path = path }),
    ["postgres", var connectionString, var schema] =>
        await PostgresEventStore.OpenAsync(new PostgresEventStoreOptions { ConnectionString = connectionString, Schema = schema }),
    _ => throw new ArgumentException("usage: CrashWriter sqlite <file> | CrashWriter postgres <connection string> <schema>"),
};

var payload = Encoding.UTF8.GetBytes("{\"filler\":\"" + new string('x', 2000) + "\"}");
for (var i = 0; ; i++)
{
    var events = Enumerable.Range(0, 1 + (i % 7))
        .Select(_ => new EventData(Guid.NewGuid(), "crash-test-written.v1", payload))
        .ToList();
    var result = await store.AppendToStreamAsync($"crash-{i % 5}", ExpectedVersion.Any, events);
    Console.Out.WriteLine($"appended {result.Position}");
    Console.Out.Flush();
}
