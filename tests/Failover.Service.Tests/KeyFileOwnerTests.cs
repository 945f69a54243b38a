using Failover.Service.Configuration;

namespace Failover.Service.Tests;

/// <summary>Issue 18.7: a key or token file must belong to the user the service runs as (or root), read with statx.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class KeyFileOwnerTests : IDisposable
{
    private const uint Nobody = 65534;
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("failover-owner-");

    private string OwnerOnly(string name)
    {
        var path = Path.Combine(_directory.FullName, name);
        File.WriteAllText(path, "0123456789abcdef0123");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    [Fact]
    public void A_file_this_process_creates_is_owned_by_the_user_it_runs_as()
    {
        var path = OwnerOnly("mine.key");

        Assert.NotNull(FileOwner.ProcessUser);
        Assert.Equal(FileOwner.ProcessUser, FileOwner.Of(path));
        Assert.Null(FailoverConfigurationValidator.KeyFileProblem(path));
    }

    [Fact]
    public void The_owner_of_a_symbolic_link_is_the_links_own_not_its_targets()
    {
        var path = OwnerOnly("target.key");
        var link = Path.Combine(_directory.FullName, "link.key");
        File.CreateSymbolicLink(link, path);

        Assert.Equal(FileOwner.Of(path), FileOwner.Of(link));
        Assert.Null(FileOwner.Of(Path.Combine(_directory.FullName, "absent.key")));
    }

    [Fact]
    public void A_file_owned_by_another_user_is_refused_with_both_user_ids_and_the_fix()
    {
        var path = OwnerOnly("theirs.key");
        var me = FileOwner.ProcessUser!.Value;
        uint runAs;
        if (me == 0)
        {
            // As root: hand the file to nobody; a root service must not read a key that nobody can rewrite.
            using var chown = System.Diagnostics.Process.Start("chown", [Nobody.ToString(), path]);
            chown.WaitForExit();
            Assert.Equal(0, chown.ExitCode);
            runAs = 0;
        }
        else
        {
            // As an ordinary user the file is ours: judge it as if the service ran as someone else.
            runAs = me + 1;
        }

        var owner = FileOwner.Of(path)!.Value;
        Assert.Equal(
            $"'{path}' is owned by uid {owner}, not by the user the service runs as (uid {runAs}) or root; chown it.",
            FailoverConfigurationValidator.KeyFileProblem(path, runAs));
    }

    [Theory]
    [InlineData(1000u, 1000u, false)]
    [InlineData(0u, 1000u, false)]
    [InlineData(1001u, 1000u, true)]
    [InlineData(1000u, 0u, true)]
    public void Only_the_service_user_or_root_may_own_a_secret_file(uint owner, uint processUser, bool refused)
    {
        Assert.Equal(refused, FileOwner.Problem("/k", owner, processUser) is not null);
        Assert.Null(FileOwner.Problem("/k", null, processUser));
        Assert.Null(FileOwner.Problem("/k", owner, null));
    }

    public void Dispose() => _directory.Delete(recursive: true);
}
