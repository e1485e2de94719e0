using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

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
    private readonly SafeFileHandle? _mappedFile;
    private readonly FileStamp _stamp;
    private byte* _pointer;

    private TableFileView(string path, MemoryMappedFile? map, MemoryMappedViewAccessor? view, SafeFileHandle? mappedFile,
        FileStamp stamp, byte* pointer, long length)
    {
        Path = path;
        _map = map;
        _view = view;
        _mappedFile = mappedFile;
        _stamp = stamp;
        _pointer = pointer;
        Length = length;
    }

    public string Path { get; }

    public byte* Pointer => _pointer;

    public long Length { get; }

    public ReadOnlySpan<byte> Header => new(_pointer, TableFormat.HeaderBytes);

    /// <summary>Length and modification time of the file when it was opened.</summary>
    public FileStamp Stamp => _stamp;

    /// <summary>
    /// Whether the mapped file itself was written, truncated or extended since it was mapped (its own handle's stamp
    /// moved): the kernel shows other processes' writes to the pages we read, so its bytes may now be torn. Always
    /// false for a file read into memory, whose copy was verified.
    /// </summary>
    public bool ChangedInPlace() => _pointer is not null && _mappedFile is not null && FileStamp.Of(_mappedFile) != _stamp;

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
        // The handle stays open beside the mapping: its stamp is the mapped file's own, even after the path has been
        // pointed at another file, which is how an in-place write is told from a replacement.
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        MemoryMappedFile? map = null;
        MemoryMappedViewAccessor? view = null;
        try
        {
            var stamp = FileStamp.Of(handle);
            length = stamp.Length;
            if (length < TableFormat.HeaderBytes)
            {
                throw new TableFormatException(path, $"file is {length} bytes, shorter than its {TableFormat.HeaderBytes}-byte header (truncated)");
            }
            using var stream = new FileStream(handle, FileAccess.Read, bufferSize: 0);
            map = MemoryMappedFile.CreateFromFile(stream, mapName: null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
            view = map.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            return new TableFileView(path, map, view, handle, stamp, pointer + view.PointerOffset, length);
        }
        catch
        {
            view?.Dispose();
            map?.Dispose();
            handle.Dispose();
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
            var stamp = FileStamp.Of(handle);
            // Chunks are read in parallel: filling fresh memory is bound by page faults, which cores take concurrently.
            var chunks = (int)((length + ReadChunkBytes - 1) / ReadChunkBytes);
            var address = (nint)pointer;
            Parallel.For(0, chunks, chunk => ReadChunk(handle, path, address, length, chunk));
            GC.AddMemoryPressure(length);
            return new TableFileView(path, null, null, null, stamp, pointer, length);
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

    private static void ReadChunk(SafeFileHandle handle, string path, nint pointer, long length, int chunk)
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
            _mappedFile!.Dispose();
        }
        else
        {
            NativeMemory.AlignedFree(_pointer);
            GC.RemoveMemoryPressure(Length);
        }
        _pointer = null;
    }
}
