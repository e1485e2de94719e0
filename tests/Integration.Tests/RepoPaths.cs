namespace Integration.Tests;

/// <summary>Locates the repository and its fixtures from the test binary's folder.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Fixture(string model) => Path.Combine(Root, "tests", "fixtures", "models", model);

    public static string ExampleModel => Path.Combine(Root, "examples", "models", "dlrm");

    /// <summary>Copies a model folder (with its version folders) into a fresh temp folder the test may change.</summary>
    public static string CopyModel(string source)
    {
        var target = Path.Combine(Path.GetTempPath(), "recserve-tests", Guid.NewGuid().ToString("N"));
        CopyDirectory(source, target);
        return target;
    }

    public static void CopyDirectory(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }
        foreach (var folder in Directory.GetDirectories(source))
        {
            CopyDirectory(folder, Path.Combine(target, Path.GetFileName(folder)));
        }
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "RecServe.slnx")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("cannot find the repository root (RecServe.slnx) above " + AppContext.BaseDirectory);
    }
}
