using System.Globalization;
using System.Reflection;

namespace Failover.EventStore;

/// <summary>The numbered SQL scripts under eventstore/&lt;adapter&gt;/ (NNN_name.sql), embedded in this assembly.</summary>
internal static class SchemaScripts
{
    public static IReadOnlyList<(int Version, string Name, string Sql)> Load(string adapter)
    {
        var assembly = typeof(SchemaScripts).Assembly;
        var prefix = $"eventstore/{adapter}/";
        return
        [
            .. assembly.GetManifestResourceNames()
                .Where(name => name.StartsWith(prefix, StringComparison.Ordinal))
                .Select(name => (Version: int.Parse(name.AsSpan(prefix.Length, 3), CultureInfo.InvariantCulture), Name: name))
                .OrderBy(script => script.Version)
                .Select(script => (script.Version, script.Name[prefix.Length..], Read(assembly, script.Name))),
        ];
    }

    private static string Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
