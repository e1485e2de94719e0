using RecServe.Core.Bundles;

namespace RecServe.Import;

/// <summary>What an import wrote and found.</summary>
public sealed class ImportResult
{
    /// <summary>The manifest written as model.json.</summary>
    public required BundleManifest Manifest { get; init; }

    /// <summary>One line per extracted lookup: feature, table, pooling and the op sequence recognised.</summary>
    public required IReadOnlyList<string> Extracted { get; init; }

    /// <summary>Things left in the graph, and why.</summary>
    public required IReadOnlyList<string> Notes { get; init; }

    /// <summary>Largest output difference the self-check measured (relative above 1), or null if it did not run.</summary>
    public double? MaxError { get; init; }

    /// <summary>The difference the self-check allowed.</summary>
    public double Tolerance { get; init; }
}
