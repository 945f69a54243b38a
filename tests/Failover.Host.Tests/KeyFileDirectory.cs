namespace Failover.Host.Tests;

/// <summary>A temporary directory of key files for one test, deleted afterwards.</summary>
internal sealed class KeyFileDirectory : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("failover-keys-");
    private int _count;

    /// <summary>A key file as an operator keeps one: readable and writable by its owner only (or with <paramref name="mode"/>).</summary>
    public string Write(string content, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        var path = Path.Combine(_directory.FullName, $"key{++_count}.txt");
        File.WriteAllText(path, content);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }

        return path;
    }

    public string MissingPath => Path.Combine(_directory.FullName, "missing.txt");

    public void Dispose() => _directory.Delete(recursive: true);
}
