using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;

namespace RecServe.Embeddings.Tables;

/// <summary>
/// The bytes of one table file at a stable address: a read-only memory map whose pointer is acquired once, or a
/// native allocation the file was read into. Either way the bytes never move, so kernels use raw pointers.
/// </summary>
internal sealed unsafe class TableFileView : IDisposable
{
    private const int ReadChunkBytes = 1 << 30;

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
        var pointer = (byte*)NativeMemory.AlignedAlloc((nuint)length, 4096);
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
            long offset = 0;
            while (offset < length)
            {
                var size = (int)Math.Min(ReadChunkBytes, length - offset);
                var read = RandomAccess.Read(handle, new Span<byte>(pointer + offset, size), offset);
                if (read == 0)
                {
                    throw new TableFormatException(path, "file shrank while it was read");
                }
                offset += read;
            }
            GC.AddMemoryPressure(length);
            return new TableFileView(path, null, null, pointer, length);
        }
        catch
        {
            NativeMemory.AlignedFree(pointer);
            throw;
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
