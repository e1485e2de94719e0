namespace RecServe.Embeddings.Redis;

/// <summary>What a cluster tier does with the ids of a shard that is unreachable or slower than its timeout.</summary>
public enum RedisFailureMode
{
    /// <summary>Answer them with the table's default row and count them as degraded lookups.</summary>
    Degrade,

    /// <summary>Fail the lookup with UNAVAILABLE.</summary>
    Fail,
}
