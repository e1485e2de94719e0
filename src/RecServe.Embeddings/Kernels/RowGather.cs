using System.Runtime.Intrinsics.X86;
using RecServe.Core.Tensors;
using RecServe.Embeddings.Overlay;
using RecServe.Embeddings.Tables;

namespace RecServe.Embeddings.Kernels;

/// <summary>
/// Batch lookup and decode without pooling, reporting which ids were found rather than substituting the default
/// row, for callers that try another tier on a miss. An attached overlay's rows and deletions take precedence. Vectorised like <see cref="EmbeddingPooling"/>; allocates nothing.
/// </summary>
public static unsafe class RowGather
{
    /// <summary>
    /// For each id: if the table has it, decodes its row into <paramref name="rows"/>[i·dim ..] and sets
    /// <paramref name="found"/>[i]; otherwise clears <paramref name="found"/>[i] and leaves the row alone.
    /// Returns how many ids were found.
    /// </summary>
    public static int Gather(EmbeddingTable table, ReadOnlySpan<long> ids, Span<float> rows, Span<bool> found)
    {
        ArgumentNullException.ThrowIfNull(table);
        table.ThrowIfDisposed();
        if (rows.Length < (long)ids.Length * table.Dim || found.Length < ids.Length)
        {
            throw new ArgumentException($"{ids.Length} ids need {(long)ids.Length * table.Dim} row values and {ids.Length} flags");
        }
        var isa = KernelIsas.Best;
        fixed (float* destination = rows)
        {
            return table.DataType switch
            {
                TensorDataType.Float32 => Run<Fp32RowDecoder>(table, ids, destination, found, isa),
                TensorDataType.Float16 => Run<Fp16RowDecoder>(table, ids, destination, found, isa),
                _ => Run<Int8RowDecoder>(table, ids, destination, found, isa),
            };
        }
    }

    private static int Run<TDecoder>(EmbeddingTable table, ReadOnlySpan<long> ids, float* destination, Span<bool> found, KernelIsa isa)
        where TDecoder : IRowDecoder
    {
        var index = table.Index;
        // A dense key-range table has no index memory: nothing to prefetch ahead.
        var hashIndex = table.IndexKind == TableIndexKind.OpenAddressing;
        var overlay = table.Overlay;
        var dim = table.Dim;
        var hits = 0;
        byte* row;
        for (var i = 0; i < ids.Length; i++)
        {
            if (overlay is not null && overlay.TryFind(ids[i], out var slot))
            {
                // A deleted id is unknown, like one the table never had.
                row = slot == OverlaySnapshot.Tombstone ? null : overlay.RowPointer(slot);
            }
            else
            {
                row = table.TryGetRow(ids[i], out var rowIndex) ? table.RowPointer(rowIndex) : null;
            }
            if (row is null)
            {
                found[i] = false;
                continue;
            }
            if (hashIndex && Sse.IsSupported && i + 1 < ids.Length)
            {
                Sse.Prefetch0(index.Keys + index.HomeBucket(ids[i + 1]));
            }
            RowAccumulator.Accumulate<TDecoder>(&row, 1, destination + (long)i * dim, dim, overwrite: true, isa);
            found[i] = true;
            hits++;
        }
        GC.KeepAlive(overlay);
        return hits;
    }
}
