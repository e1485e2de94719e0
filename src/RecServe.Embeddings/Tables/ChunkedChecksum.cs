using System.Buffers.Binary;
using System.IO.Hashing;

namespace RecServe.Embeddings.Tables;

/// <summary>
/// Payload checksum: XxHash3 of every <see cref="TableFormat.ChecksumChunkBytes"/> chunk, then XxHash3 of those
/// chunk hashes seeded with the payload length. Chunks hash independently, so a multi-gigabyte mapped payload is
/// verified on all cores at once; the writer computes the same value while it streams.
/// </summary>
internal sealed class ChunkedChecksum
{
    private readonly XxHash3 _chunk = new();
    private readonly XxHash3 _chunkHashes = new();
    private long _length;
    private int _inChunk;

    public void Append(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            var take = Math.Min(data.Length, TableFormat.ChecksumChunkBytes - _inChunk);
            _chunk.Append(data[..take]);
            _inChunk += take;
            _length += take;
            data = data[take..];
            if (_inChunk == TableFormat.ChecksumChunkBytes)
            {
                CloseChunk();
            }
        }
    }

    public ulong GetValue()
    {
        if (_inChunk > 0)
        {
            CloseChunk();
        }
        return Combine(_chunkHashes.GetCurrentHashAsUInt64(), _length);
    }

    private void CloseChunk()
    {
        Span<byte> value = stackalloc byte[sizeof(ulong)];
        BinaryPrimitives.WriteUInt64LittleEndian(value, _chunk.GetCurrentHashAsUInt64());
        _chunkHashes.Append(value);
        _chunk.Reset();
        _inChunk = 0;
    }

    /// <summary>Checksum of <paramref name="length"/> bytes at <paramref name="data"/>, chunks hashed in parallel.</summary>
    public static unsafe ulong Compute(byte* data, long length, bool parallel)
    {
        var chunks = (int)((length + TableFormat.ChecksumChunkBytes - 1) / TableFormat.ChecksumChunkBytes);
        var hashes = new ulong[chunks];
        var address = (nint)data;
        if (parallel && chunks > 1)
        {
            Parallel.For(0, chunks, i => hashes[i] = HashChunk(address, length, i));
        }
        else
        {
            for (var i = 0; i < chunks; i++)
            {
                hashes[i] = HashChunk(address, length, i);
            }
        }
        var all = new XxHash3();
        Span<byte> value = stackalloc byte[sizeof(ulong)];
        foreach (var hash in hashes)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(value, hash);
            all.Append(value);
        }
        return Combine(all.GetCurrentHashAsUInt64(), length);
    }

    private static unsafe ulong HashChunk(nint data, long length, int chunk)
    {
        var start = (long)chunk * TableFormat.ChecksumChunkBytes;
        var size = (int)Math.Min(TableFormat.ChecksumChunkBytes, length - start);
        return XxHash3.HashToUInt64(new ReadOnlySpan<byte>((byte*)data + start, size));
    }

    /// <summary>
    /// Checksum of the <paramref name="length"/> bytes from <paramref name="offset"/> of an open file, read through one
    /// pooled buffer rather than mapped: verifying a file this way leaves nothing resident in the process.
    /// </summary>
    public static ulong ComputeByReading(Microsoft.Win32.SafeHandles.SafeFileHandle file, long offset, long length, string path)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(TableFormat.ChecksumChunkBytes);
        try
        {
            var checksum = new ChunkedChecksum();
            var end = offset + length;
            while (offset < end)
            {
                var read = RandomAccess.Read(file, buffer.AsSpan(0, (int)Math.Min(buffer.Length, end - offset)), offset);
                if (read == 0)
                {
                    throw new TableFormatException(path, "file shrank while it was read");
                }
                checksum.Append(buffer.AsSpan(0, read));
                offset += read;
            }
            return checksum.GetValue();
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // The length is folded in so that payloads differing only by trailing empty chunks still differ.
    private static ulong Combine(ulong chunkHashesDigest, long length) =>
        chunkHashesDigest ^ ((ulong)length * 0x9E3779B97F4A7C15UL);
}
