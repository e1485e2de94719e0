namespace RecServe.Cli.Bench.Requests;

/// <summary>How the pool of requests is made: generated from the signature, or read from a file.</summary>
internal sealed record RequestSettings
{
    /// <summary>Rows per generated request (the size of the batch dimension).</summary>
    public int Batch { get; init; } = 32;

    /// <summary>
    /// Ids per row for an integer input whose second dimension is dynamic (a bag of ids); null uses a sparse
    /// feature's max_ids_per_row where the signature gives it (in process), else 1.
    /// </summary>
    public int? Bag { get; init; }

    /// <summary>Distinct requests generated and encoded before the run, then sent in turn.</summary>
    public int PoolSize { get; init; } = 32;

    /// <summary>Zipf exponent of integer (id) inputs.</summary>
    public double ZipfExponent { get; init; } = 1.05;

    /// <summary>Ids of an integer input are drawn from [0, IdSpace) unless <see cref="IdMax"/> names the input.</summary>
    public long IdSpace { get; init; } = 100;

    /// <summary>Per-input id ranges [0, N), e.g. an embedding table's size, where ids past it are an error.</summary>
    public IReadOnlyDictionary<string, long> IdMax { get; init; } = new Dictionary<string, long>();

    /// <summary>Seed of the generator, so that two runs send the same requests.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>A file of TF-Serving JSON requests to send instead of generated ones, or null.</summary>
    public string? RequestsFile { get; init; }
}
