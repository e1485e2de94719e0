using System.Runtime.InteropServices;

namespace RecServe.Embeddings.Tiers;

/// <summary>
/// The calling thread's major page faults so far (getrusage(RUSAGE_THREAD).ru_majflt): faults that had to read from
/// disk, as opposed to minor ones that only map a page already in memory. 0 where Linux does not answer.
/// </summary>
internal static unsafe partial class ThreadFaults
{
    private const int RusageThread = 1;
    // struct rusage on 64-bit Linux: two timevals (4 longs), then ru_maxrss, ru_ixrss, ru_idrss, ru_isrss, ru_minflt, ru_majflt, ...
    private const int MajorFaultsField = 9;
    private const int FieldCount = 18;

    public static long Major()
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }
        var usage = stackalloc long[FieldCount];
        return GetRusage(RusageThread, usage) == 0 ? usage[MajorFaultsField] : 0;
    }

    [LibraryImport("libc", EntryPoint = "getrusage")]
    private static partial int GetRusage(int who, long* usage);
}
