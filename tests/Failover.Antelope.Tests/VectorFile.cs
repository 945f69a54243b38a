using System.Text.Json;
using Failover.Testing;

namespace Failover.Antelope.Tests;

/// <summary>xUnit-shaped access to <see cref="ReferenceVectors"/>.</summary>
internal static class VectorFile
{
    public static JsonElement Load(string fileName) => ReferenceVectors.Load(fileName);

    public static IEnumerable<JsonElement> Items(string fileName, string arrayName) => ReferenceVectors.Items(fileName, arrayName);

    public static JsonElement Item(string fileName, string arrayName, int index) => ReferenceVectors.Item(fileName, arrayName, index);

    public static TheoryData<int> Indexes(string fileName, string arrayName) => new(ReferenceVectors.Indexes(fileName, arrayName));

    public static JsonElement Key(int index) => ReferenceVectors.Key(index);

    public static string Text(this JsonElement element, string property) => ReferenceVectors.Text(element, property);
}
