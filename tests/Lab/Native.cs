using System.Runtime.InteropServices;

namespace Orchestrator.Lab;

/// <summary>The few Linux system calls the lab needs that .NET does not offer.</summary>
internal static partial class Native
{
    public const int SIGTERM = 15;

    public const int SIGINT = 2;
    public const int SIGKILL = 9;

    /// <summary>setns(2) nstype for a network namespace.</summary>
    public const int CLONE_NEWNET = 0x40000000;

    /// <summary>umount2(2) flag: detach now, finish when no longer busy.</summary>
    public const int MNT_DETACH = 2;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    public static partial int SetNs(int fd, int nstype);

    [LibraryImport("libc", EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Umount2(string target, int flags);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint GetEuid();
}
