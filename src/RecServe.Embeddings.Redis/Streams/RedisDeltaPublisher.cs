using RecServe.Embeddings.Deltas;
using RecServe.Embeddings.Deltas.Streaming;
using StackExchange.Redis;

namespace RecServe.Embeddings.Redis.Streams;

/// <summary>
/// Writes a validated delta file to a model's stream as <see cref="DeltaStreamPart"/> entries of bounded size, all in
/// one MULTI/EXEC transaction: the parts land consecutively and all or none, so consumers never see another entry
/// inside a delta, and a publisher that dies mid-way leaves nothing behind.
/// </summary>
public static class RedisDeltaPublisher
{
    /// <summary>
    /// Publishes <paramref name="delta"/> (whose bytes are <paramref name="file"/>) to <paramref name="key"/>;
    /// <paramref name="progress"/> hears the parts queued, then all of them once committed. Returns the entry ids.
    /// </summary>
    /// <exception cref="RedisException">Redis refused or could not be reached; nothing was added.</exception>
    public static async Task<IReadOnlyList<string>> PublishAsync(IDatabase database, string key, DeltaFile delta, byte[] file,
        DateTimeOffset publishedAt, int partBytes = DeltaStreamPart.DefaultPartBytes, IProgress<(int Done, int Parts)>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(delta);
        ArgumentNullException.ThrowIfNull(file);
        var parts = DeltaStreamPart.Split(file, delta.Seq, delta.Checksum, publishedAt, DeltaStreamPart.NewPublication(), partBytes);
        var transaction = database.CreateTransaction();
        var added = new Task<RedisValue>[parts.Count];
        for (var k = 0; k < parts.Count; k++)
        {
            var fields = parts[k].Encode();
            var values = new NameValueEntry[fields.Count];
            for (var f = 0; f < values.Length; f++)
            {
                values[f] = new NameValueEntry(fields[f].Key, fields[f].Value);
            }
            added[k] = transaction.StreamAddAsync(key, values);
            progress?.Report((k, parts.Count));
        }
        if (!await transaction.ExecuteAsync().ConfigureAwait(false))
        {
            throw new RedisException($"the transaction adding delta seq {delta.Seq} to {key} was not committed");
        }
        var ids = new string[parts.Count];
        for (var k = 0; k < ids.Length; k++)
        {
            ids[k] = (await added[k].ConfigureAwait(false)).ToString();
        }
        progress?.Report((parts.Count, parts.Count));
        return ids;
    }
}
