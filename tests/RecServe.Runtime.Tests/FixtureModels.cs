namespace RecServe.Runtime.Tests;

/// <summary>Paths of the committed fixture models in tests/fixtures/models (see tests/fixtures/README.md).</summary>
public static class FixtureModels
{
    private static readonly Lazy<string> RootPath = new(FindRepositoryRoot);

    /// <summary>The repository root.</summary>
    public static string Root => RootPath.Value;

    /// <summary>The version folder <c>tests/fixtures/models/&lt;name&gt;/&lt;version&gt;</c>.</summary>
    public static string VersionPath(string name, long version = 1) =>
        Path.Combine(Root, "tests", "fixtures", "models", name, version.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The model.onnx of a fixture version.</summary>
    public static string OnnxPath(string name, long version = 1) => Path.Combine(VersionPath(name, version), "model.onnx");

    private static string FindRepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "RecServe.slnx")))
            {
                return folder.FullName;
            }
        }
        throw new InvalidOperationException($"no RecServe.slnx above {AppContext.BaseDirectory}");
    }
}
