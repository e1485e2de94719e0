namespace RecServe.Import.Tests;

/// <summary>Paths of the committed import fixtures (tests/fixtures/make_import_fixtures.py) and scratch folders.</summary>
public static class ImportFixtures
{
    private static readonly Lazy<string> RootPath = new(FindRepositoryRoot);

    /// <summary>The repository root.</summary>
    public static string Root => RootPath.Value;

    /// <summary><c>tests/fixtures/import/&lt;name&gt;.onnx</c>.</summary>
    public static string Model(string name) => Path.Combine(Root, "tests", "fixtures", "import", $"{name}.onnx");

    /// <summary>The example DLRM the README serves.</summary>
    public static string ExampleModel => Path.Combine(Root, "examples", "models", "dlrm", "1", "model.onnx");

    /// <summary>A fresh, empty scratch folder.</summary>
    public static string TempFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"recserve-import-tests-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        return folder;
    }

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
