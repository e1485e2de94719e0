using System.Runtime.InteropServices;
using RecServe.Embeddings.Tables;

namespace RecServe.Embeddings.Tests.Tables;

/// <summary>
/// Drops a mapped table's row pages (from this process's mapping and from the page cache) and asks which are resident
/// (mincore), so readahead tests start cold and can see that their advice was acted on. Linux only.
/// </summary>
internal static unsafe partial class PageResidency
{
    public const int PageBytes = 4096;
    private const int MadviseRandom = 1;
    private const int MadviseDontNeed = 4;
    private const int FadviseDontNeed = 4;

    /// <summary>Evicts the pages of <paramref name="table"/>'s rows file; true when none of its row pages stays resident.</summary>
    public static bool DropRows(EmbeddingTable table, string rowsPath)
    {
        var (start, length) = RowsRange(table);
        if (Madvise(start, (nuint)length, MadviseDontNeed) != 0)
        {
            return false;
        }
        using (var handle = File.OpenHandle(rowsPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        {
            if (PosixFadvise((int)handle.DangerousGetHandle(), 0, 0, FadviseDontNeed) != 0)
            {
                return false;
            }
        }
        return ResidentPages(start, length) == 0;
    }

    /// <summary>
    /// Advises random access over the rows (no read-around), so that each row page read from disk is a fault of its own
    /// rather than one fault that reads the whole small file.
    /// </summary>
    public static bool AdviseRandom(EmbeddingTable table)
    {
        var (start, length) = RowsRange(table);
        return Madvise(start, (nuint)length, MadviseRandom) == 0;
    }

    /// <summary>Whether the page(s) holding row <paramref name="row"/> are in memory.</summary>
    public static bool RowResident(EmbeddingTable table, int row)
    {
        var address = (nint)table.RowPointer(row);
        var start = address & ~(nint)(PageBytes - 1);
        return ResidentPages(start, address + table.RowStride - start) == (address + table.RowStride - start + PageBytes - 1) / PageBytes;
    }

    private static (nint Start, long Length) RowsRange(EmbeddingTable table)
    {
        // The mapping starts at the file's first byte, the header, one page-aligned address before row 0.
        var start = (nint)table.RowPointer(0) - TableFormat.HeaderBytes;
        return (start, TableFormat.HeaderBytes + (long)table.RowCount * table.RowStride);
    }

    private static long ResidentPages(nint start, long length)
    {
        var pages = (int)((length + PageBytes - 1) / PageBytes);
        var vector = new byte[pages];
        fixed (byte* v = vector)
        {
            if (Mincore(start, (nuint)length, v) != 0)
            {
                throw new InvalidOperationException($"mincore failed: errno {Marshal.GetLastPInvokeError()}");
            }
        }
        long resident = 0;
        foreach (var b in vector)
        {
            resident += b & 1;
        }
        return resident;
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(nint address, nuint length, int advice);

    [LibraryImport("libc", EntryPoint = "posix_fadvise")]
    private static partial int PosixFadvise(int fd, long offset, long length, int advice);

    [LibraryImport("libc", EntryPoint = "mincore", SetLastError = true)]
    private static partial int Mincore(nint address, nuint length, byte* vector);
}
