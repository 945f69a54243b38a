namespace Failover.Host.Tests;

/// <summary>A temporary directory of key files for one test, deleted afterwards.</summary>
internal sealed class KeyFileDirectory : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("failover-keys-");
    private int _count;

    public string Write(string content)
    {
        var path = Path.Combine(_directory.FullName, $"key{++_count}.txt");
        File.WriteAllText(path, content);
        return path;
    }

    public string MissingPath => Path.Combine(_directory.FullName, "missing.txt");

    public void Dispose() => _directory.Delete(recursive: true);
}
