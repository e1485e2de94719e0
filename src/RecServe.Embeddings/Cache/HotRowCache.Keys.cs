namespace RecServe.Embeddings.Cache;

// Listing what is cached: a new model version pre-fills its cache with the ids its predecessor found hot.
public sealed partial class HotRowCache
{
    /// <summary>
    /// Copies the ids of cached rows into <paramref name="destination"/>, at most its length, and returns how many. A
    /// cold-path snapshot: rows admitted or dropped meanwhile may or may not be listed.
    /// </summary>
    public int CopyKeys(Span<long> destination)
    {
        var written = 0;
        for (var slot = 0; slot < Capacity && written < destination.Length; slot++)
        {
            var version = Volatile.Read(ref _versions[slot]);
            if (version != 0 && (version & 1) == 0)
            {
                destination[written++] = _keys[slot];
            }
        }
        return written;
    }
}
