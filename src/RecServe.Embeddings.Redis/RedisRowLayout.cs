namespace RecServe.Embeddings.Redis;

/// <summary>
/// How a table's rows are stored in the cluster (docs/SCALE.md has the measurements). Either way ids are split into
/// a fixed number of groups by a hash of the id, and a group's keys share one hash tag, so a batch costs one command
/// per group it touches rather than one per id.
/// </summary>
public enum RedisRowLayout
{
    /// <summary>One string key per id (the group's tag plus the id's 8 bytes); read with MGET.</summary>
    Keys,

    /// <summary>One hash per group, a field per id; read with HMGET.</summary>
    Hashes,
}
