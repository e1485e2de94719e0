using RecServe.Embeddings.Tables;
using StackExchange.Redis;

namespace RecServe.Embeddings.Redis;

/// <summary>
/// Copies a local table into the cluster in chunks of index entries (hash buckets, or a dense range's rows), so memory stays bounded by one chunk whatever
/// the table's size. After each chunk the progress key records the bucket to continue from, so a push that was
/// interrupted resumes there (rewriting a chunk is harmless: writes are idempotent). The complete marker is written
/// last; until then no tier serves the copy.
/// </summary>
public sealed class RedisTablePusher
{
    private readonly IDatabase _db;
    private readonly EmbeddingTable _table;
    private readonly RedisTableKeys _keys;
    private readonly int _chunkRows;

    /// <summary>Pushes <paramref name="table"/> (opened from <paramref name="tableFolder"/>) through <paramref name="connection"/>.</summary>
    public RedisTablePusher(IConnectionMultiplexer connection, EmbeddingTable table, string tableFolder,
        RedisRowLayout layout = RedisRowLayout.Hashes, int groups = RedisTableKeys.DefaultGroups, int chunkRows = 4096)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(table);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkRows, 1);
        _db = connection.GetDatabase();
        _table = table;
        _keys = new RedisTableKeys(EmbeddingTable.Describe(tableFolder), layout, groups);
        _chunkRows = chunkRows;
    }

    /// <summary>The keys written.</summary>
    public RedisTableKeys Keys => _keys;

    /// <summary>Pushes the table, or what an interrupted push left, then writes the complete marker.</summary>
    /// <exception cref="InvalidOperationException">An interrupted push used another layout or group count.</exception>
    public async Task<RedisPushResult> PushAsync(IProgress<RedisPushProgress>? progress = null, CancellationToken cancellation = default)
    {
        if (RedisTableMarker.Parse(await _db.StringGetAsync(_keys.CompleteKey).ConfigureAwait(false)) is { } complete)
        {
            return new RedisPushResult(true, complete.Rows, complete);
        }
        var resumed = RedisTableMarker.Parse(await _db.StringGetAsync(_keys.ProgressKey).ConfigureAwait(false));
        if (resumed is not null && (resumed.Layout != _keys.Layout || resumed.Groups != _keys.Groups))
        {
            throw new InvalidOperationException($"an interrupted push of table '{_keys.Table.Name}' used layout {resumed.Layout} with {resumed.Groups} groups; " +
                "resume it with the same --layout and --groups");
        }
        var bucket = resumed?.NextBucket ?? 0;
        var done = resumed?.Rows ?? 0;
        var ids = new long[_chunkRows];
        var rowIndices = new int[_chunkRows];
        var rows = new byte[_chunkRows * _keys.Table.RowStride];
        if (bucket == 0 && _table.TryGetRow(0, out var zeroRow))
        {
            // ReadEntries never returns the id 0 (a hash index keeps it outside its buckets); it goes first, with the first chunk's progress.
            ids[0] = 0;
            rowIndices[0] = zeroRow;
            await WriteChunkAsync(ids, rowIndices, rows, 1).ConfigureAwait(false);
            done = 1;
        }
        while (bucket < _table.EntryPositionCount)
        {
            cancellation.ThrowIfCancellationRequested();
            bucket = _table.ReadEntries(bucket, ids, rowIndices, out var count);
            await WriteChunkAsync(ids, rowIndices, rows, count).ConfigureAwait(false);
            done += count;
            await _db.StringSetAsync(_keys.ProgressKey, new RedisTableMarker(_keys.Layout, _keys.Groups, done, bucket).ToString()).ConfigureAwait(false);
            progress?.Report(new RedisPushProgress(done, _table.RowCount));
        }
        var marker = new RedisTableMarker(_keys.Layout, _keys.Groups, done);
        await _db.StringSetAsync(_keys.CompleteKey, marker.ToString()).ConfigureAwait(false);
        await _db.KeyDeleteAsync(_keys.ProgressKey).ConfigureAwait(false);
        return new RedisPushResult(false, resumed?.Rows ?? 0, marker);
    }

    private Task WriteChunkAsync(long[] ids, int[] rowIndices, byte[] rows, int count)
    {
        var stride = _keys.Table.RowStride;
        for (var i = 0; i < count; i++)
        {
            _table.GetRowBytes(rowIndices[i]).CopyTo(rows.AsSpan(i * stride, stride));
        }
        return RedisRowWriter.UpsertAsync(_db, _keys, ids, rows, count);
    }
}
