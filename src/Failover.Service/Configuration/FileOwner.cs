using System.Runtime.InteropServices;

namespace Failover.Service.Configuration;

/// <summary>
/// The owner of a file and the user this process runs as, on Linux (statx and geteuid from libc). .NET has no managed
/// call for a file's owner; struct statx is the same on every Linux architecture, so one layout serves x64 and arm64.
/// </summary>
public static partial class FileOwner
{
    private const int AtCurrentDirectory = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxUid = 0x8;
    private const int StatxSize = 256;
    private const int StatxMaskOffset = 0;
    private const int StatxUidOffset = 20;

    /// <summary>The user id that owns <paramref name="path"/> (not following a symbolic link), or null off Linux or when it cannot be read.</summary>
    public static uint? Of(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var buffer = new byte[StatxSize];
        if (Statx(AtCurrentDirectory, path, AtSymlinkNoFollow, StatxUid, buffer) != 0
            || (BitConverter.ToUInt32(buffer, StatxMaskOffset) & StatxUid) == 0)
        {
            return null;
        }

        return BitConverter.ToUInt32(buffer, StatxUidOffset); // the kernel writes the struct in the machine's byte order
    }

    /// <summary>The effective user id of this process, or null off Linux.</summary>
    public static uint? ProcessUser => OperatingSystem.IsLinux() ? GetEffectiveUserId() : null;

    /// <summary>
    /// Why a secret file's owner is wrong, or null: it must belong to the user the service runs as, or to root (as ssh
    /// asks of a key file) — anyone else who owns it can rewrite it or open it up.
    /// </summary>
    public static string? Problem(string path, uint? owner, uint? processUser) =>
        owner is { } o && processUser is { } me && o != me && o != 0
            ? $"'{path}' is owned by uid {o}, not by the user the service runs as (uid {me}) or root; chown it."
            : null;

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int directory, string path, int flags, uint mask, [Out] byte[] buffer);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();
}
