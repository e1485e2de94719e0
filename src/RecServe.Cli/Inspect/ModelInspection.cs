namespace RecServe.Cli.Inspect;

/// <summary>What <c>recserve inspect</c> found in one version folder, ready to print.</summary>
internal sealed record ModelInspection(
    string VersionFolder,
    string Kind,
    IReadOnlyList<long> VersionsInBasePath,
    IReadOnlyList<InspectedInput> Inputs,
    IReadOnlyList<InspectedTensor> Outputs,
    IReadOnlyList<InspectedTable> Tables,
    IReadOnlyList<InspectedDelta> Deltas,
    string? OverlayState);

/// <summary>An input: dense tensor, or sparse feature with its table, pooling and most ids per row.</summary>
internal sealed record InspectedInput(string Name, string Kind, string Dtype, string Shape, string Table, string Pooling, string MaxIds);

/// <summary>An output tensor.</summary>
internal sealed record InspectedTensor(string Name, string Dtype, string Shape);

/// <summary>An embedding table of a bundle, with its size on disk.</summary>
internal sealed record InspectedTable(string Name, int Dim, string Dtype, long Rows, long Bytes, string Residency, long CacheBytes, string Index);

/// <summary>A delta file waiting in the version's deltas/ folder.</summary>
internal sealed record InspectedDelta(string File, long Seq, long Records, long Bytes);
