using System.Runtime.InteropServices;

namespace RecServe.Embeddings.Tables;

/// <summary>
/// Asks Linux to back a large native allocation with transparent huge pages: random row lookups then miss the TLB
/// far less, and first-touch page faults are 512× fewer. Advice only; failure or another OS changes nothing.
/// </summary>
internal static partial class LinuxMemoryAdvice
{
    public const nuint HugePageBytes = 2 << 20;

    private const int MadviseHugePage = 14;

    public static unsafe void PreferHugePages(void* address, nuint length)
    {
        if (OperatingSystem.IsLinux() && length >= HugePageBytes)
        {
            _ = Madvise((nint)address, length, MadviseHugePage);
        }
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(nint address, nuint length, int advice);
}
