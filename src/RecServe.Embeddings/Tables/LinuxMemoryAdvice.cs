using System.Runtime.InteropServices;

namespace RecServe.Embeddings.Tables;

/// <summary>
/// Memory advice to Linux: transparent huge pages for large native allocations (random row lookups then miss the TLB
/// far less, and first-touch page faults are 512× fewer), and readahead of mapped pages about to be read. Advice only;
/// failure or another OS changes nothing.
/// </summary>
internal static partial class LinuxMemoryAdvice
{
    public const nuint HugePageBytes = 2 << 20;

    private const nint PageBytes = 4096;
    private const int MadviseWillNeed = 3;
    private const int MadviseHugePage = 14;

    public static unsafe void PreferHugePages(void* address, nuint length)
    {
        if (OperatingSystem.IsLinux() && length >= HugePageBytes)
        {
            _ = Madvise((nint)address, length, MadviseHugePage);
        }
    }

    /// <summary>
    /// <see cref="PreferHugePages"/> for the whole pages inside [<paramref name="address"/>, +<paramref name="length"/>),
    /// for memory that does not start on a page boundary (a pinned managed array): best called before it is touched.
    /// </summary>
    public static unsafe void PreferHugePagesWithin(void* address, long length)
    {
        var start = ((nint)address + PageBytes - 1) & ~(PageBytes - 1);
        var end = ((nint)address + (nint)length) & ~(PageBytes - 1);
        if (end > start)
        {
            PreferHugePages((void*)start, (nuint)(end - start));
        }
    }

    /// <summary>
    /// Starts reading the file pages behind [<paramref name="address"/>, +<paramref name="length"/>) of a file mapping
    /// into the page cache without waiting for them (MADV_WILLNEED), so that reads of several such ranges are in flight
    /// at once instead of one page fault at a time. Costs a system call even when the pages are already resident.
    /// </summary>
    public static unsafe void WillNeed(void* address, nint length)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        var start = (nint)address & ~(PageBytes - 1);
        _ = Madvise(start, (nuint)((nint)address + length - start), MadviseWillNeed);
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(nint address, nuint length, int advice);
}
