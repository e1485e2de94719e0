namespace RecServe.Cli.Bench.Update;

/// <summary>The demo bundle the update bench writes when it is given none (<c>recserve demo-model</c>'s generator).</summary>
internal sealed record DemoBundleShape
{
    /// <summary>Rows per table.</summary>
    public long Rows { get; init; } = 1_000_000;

    /// <summary>Tables (one sparse feature each).</summary>
    public int Tables { get; init; } = 4;

    /// <summary>Values per row; 16 fp32 is the delta budget's shape.</summary>
    public int Dim { get; init; } = 16;

    /// <summary>Residency of the tables: mapped or memory.</summary>
    public string Residency { get; init; } = RecServe.Core.Bundles.BundleFormat.ResidencyMapped;
}
