namespace RecServe.Embeddings.Tables;

/// <summary>Where an opened table's bytes live.</summary>
public enum TableResidency
{
    /// <summary>The files are memory-mapped read-only; the OS pages rows in on demand and may evict them.</summary>
    Mapped,

    /// <summary>The files are read once into native memory that stays resident until the table is disposed.</summary>
    Memory,
}
