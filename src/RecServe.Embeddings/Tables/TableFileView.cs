using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;

namespace RecServe.Embeddings.Tables;

/// <summary>
/// The bytes of one table file at a stable address: a read-only memory map whose pointer is acquired once, or a
/// native allocation the file was read into. Either way the bytes never move, so kernels use raw pointers.
/// </summary>
internal sealed unsafe class TableFileView : IDisposable
{
    private const int ReadChunkBytes = 64 << 20;

    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    private byte* _pointer;

    private TableFileView(string path, MemoryMappedFile? map, MemoryMappedViewAccessor? view, byte* pointer, long length)
    {
        Path = path;
        _map = map;
        _view = view;
        _pointer = pointer;
        Length = length;
    }

    public string Path { get; }

    public byte* Pointer => _pointer;

    public long Length { get; }

    public ReadOnlySpan<byte> Header => new(_pointer, TableFormat.HeaderBytes);

    public static TableFileView Open(string path, TableResidency residency)
    {
        long length;
        try
        {
            length = new FileInfo(path).Length;
        }
        catch (FileNotFoundException e)
        {
            throw new TableFormatException(path, "file is missing", e);
        }
        if (length < TableFormat.HeaderBytes)
        {
            throw new TableFormatException(path, $"file is {length} bytes, shorter than its {TableFormat.HeaderBytes}-byte header (truncated)");
        }
        return residency == TableResidency.Memory ? ReadIntoMemory(path, length) : Map(path, length);
    }

    private static TableFileView Map(string path, long length)
    {
        var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, mapName: null, 0, MemoryMappedFileAccess.Read);
        MemoryMappedViewAccessor? view = null;
        try
        {
            view = map.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            return new TableFileView(path, map, view, pointer + view.PointerOffset, length);
        }
        catch
        {
            view?.Dispose();
            map.Dispose();
            throw;
        }
    }

    private static TableFileView ReadIntoMemory(string path, long length)
    {
        var pointer = (byte*)NativeMemory.AlignedAlloc((nuint)length, LinuxMemoryAdvice.HugePageBytes);
        try
        {
            LinuxMemoryAdvice.PreferHugePages(pointer, (nuint)length);
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
            // Chunks are read in parallel: filling fresh memory is bound by page faults, which cores take concurrently.
            var chunks = (int)((length + ReadChunkBytes - 1) / ReadChunkBytes);
            var address = (nint)pointer;
            Parallel.For(0, chunks, chunk => ReadChunk(handle, path, address, length, chunk));
            GC.AddMemoryPressure(length);
            return new TableFileView(path, null, null, pointer, length);
        }
        catch (AggregateException e) when (e.InnerException is TableFormatException inner)
        {
            NativeMemory.AlignedFree(pointer);
            throw inner;
        }
        catch
        {
            NativeMemory.AlignedFree(pointer);
            throw;
        }
    }

    private static void ReadChunk(Microsoft.Win32.SafeHandles.SafeFileHandle handle, string path, nint pointer, long length, int chunk)
    {
        var offset = (long)chunk * ReadChunkBytes;
        var end = Math.Min(offset + ReadChunkBytes, length);
        while (offset < end)
        {
            var read = RandomAccess.Read(handle, new Span<byte>((byte*)pointer + offset, (int)(end - offset)), offset);
            if (read == 0)
            {
                throw new TableFormatException(path, "file shrank while it was read");
            }
            offset += read;
        }
    }

    public void Dispose()
    {
        if (_pointer is null)
        {
            return;
        }
        if (_view is not null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
            _map!.Dispose();
        }
        else
        {
            NativeMemory.AlignedFree(_pointer);
            GC.RemoveMemoryPressure(Length);
        }
        _pointer = null;
    }
}
