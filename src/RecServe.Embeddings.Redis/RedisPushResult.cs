namespace RecServe.Embeddings.Redis;

/// <summary>What a push did.</summary>
/// <param name="AlreadyComplete">The table's complete marker was there already; nothing was written.</param>
/// <param name="ResumedFromRows">Rows an earlier, interrupted push had written (0 for a fresh push).</param>
/// <param name="Marker">The complete marker now in the cluster.</param>
public sealed record RedisPushResult(bool AlreadyComplete, long ResumedFromRows, RedisTableMarker Marker);
