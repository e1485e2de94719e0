using RecServe.Embeddings.Overlay;

namespace RecServe.Embeddings.Tables;

// The hook through which an EmbeddingOverlay changes what lookups see: one snapshot reference, swapped atomically.
// Kernels read it once per call, so a whole batch sees one version of the overlay.
public sealed unsafe partial class EmbeddingTable
{
    private OverlaySnapshot? _overlay;
    private object? _overlayOwner;

    /// <summary>Ids the attached overlay changes (upserted or deleted since the base snapshot); 0 without one.</summary>
    public int OverlayIdCount => Overlay?.Count ?? 0;

    internal OverlaySnapshot? Overlay => Volatile.Read(ref _overlay);

    /// <summary>Claims the table for <paramref name="owner"/>: two overlays on one table would hide each other's rows.</summary>
    internal void AttachOverlay(object owner)
    {
        var current = Interlocked.CompareExchange(ref _overlayOwner, owner, null);
        if (current is not null && current != owner)
        {
            throw new InvalidOperationException($"table '{Name}' already has an overlay attached");
        }
    }

    internal void PublishOverlay(OverlaySnapshot? snapshot) => Volatile.Write(ref _overlay, snapshot);

    /// <summary>Removes the overlay: lookups see the base rows again.</summary>
    internal void DetachOverlay(object owner)
    {
        if (Interlocked.CompareExchange(ref _overlayOwner, null, owner) == owner)
        {
            Volatile.Write(ref _overlay, null);
        }
    }

    /// <summary>
    /// Decodes the overlay's row for <paramref name="id"/> when the overlay has the id: found is true for an upserted
    /// row and false for a deleted id (destination then holds the default row).
    /// </summary>
    private bool TryReadOverlay(long id, Span<float> destination, out bool found)
    {
        var overlay = Overlay;
        if (overlay is null || !overlay.TryFind(id, out var slot))
        {
            found = false;
            return false;
        }
        found = slot != OverlaySnapshot.Tombstone;
        if (found)
        {
            RowCodec.Decode(overlay.Row(slot), DataType, destination[..Dim]);
        }
        else
        {
            _defaultRow.CopyTo(destination);
        }
        return true;
    }
}
