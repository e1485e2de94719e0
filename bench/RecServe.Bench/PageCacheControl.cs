using System.Runtime.InteropServices;

namespace RecServe.Bench;

/// <summary>
/// Linux calls that make a memory-mapped run start cold and stay honest: random-access advice (no readahead pulling
/// neighbouring rows in for free) and dropping the file's pages from this mapping and from the page cache.
/// </summary>
public static partial class PageCacheControl
{
    private const int MadviseRandom = 1;
    private const int MadviseDontNeed = 4;
    private const int FadviseDontNeed = 4;
    private const long PageBytes = 4096;

    /// <summary>
    /// Advises random access over [<paramref name="address"/>, +<paramref name="length"/>); with
    /// <paramref name="drop"/> also drops its pages from this mapping and then <paramref name="path"/>'s clean pages
    /// from the page cache. Returns what was done and whether it worked.
    /// </summary>
    public static string AdviseRandom(nint address, long length, string path, bool drop)
    {
        if (!OperatingSystem.IsLinux())
        {
            return "no page-cache control (not Linux)";
        }
        // madvise wants a page-aligned start; the rows begin after the file header.
        var start = address & ~(nint)(PageBytes - 1);
        var span = (nuint)(length + (address - start));
        var random = Madvise(start, span, MadviseRandom) == 0;
        if (!drop)
        {
            return $"madvise(RANDOM) {Ok(random)}, pages kept";
        }
        var unmapped = Madvise(start, span, MadviseDontNeed) == 0;
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        var dropped = PosixFadvise(handle.DangerousGetHandle().ToInt32(), 0, 0, FadviseDontNeed) == 0;
        return $"madvise(RANDOM) {Ok(random)}, madvise(DONTNEED) {Ok(unmapped)}, posix_fadvise(DONTNEED) {Ok(dropped)}";
    }

    /// <summary>Drops <paramref name="path"/>'s clean pages from the page cache (those no process has mapped).</summary>
    public static void Drop(string path)
    {
        if (OperatingSystem.IsLinux())
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
            _ = PosixFadvise(handle.DangerousGetHandle().ToInt32(), 0, 0, FadviseDontNeed);
        }
    }

    private static string Ok(bool done) => done ? "ok" : "failed";

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(nint address, nuint length, int advice);

    [LibraryImport("libc", EntryPoint = "posix_fadvise")]
    private static partial int PosixFadvise(int fd, long offset, long length, int advice);
}
