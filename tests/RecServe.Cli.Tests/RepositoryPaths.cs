namespace RecServe.Cli.Tests;

/// <summary>Finds the repository (for the example model and fixtures) from the test binary's folder.</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "RecServe.slnx")))
            {
                return folder.FullName;
            }
        }
        throw new InvalidOperationException("no RecServe.slnx above the test binaries");
    }
}
