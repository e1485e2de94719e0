using System.Globalization;
using System.Text;

namespace RecServe.Lifecycle.Sources;

/// <summary>
/// Lists the version folders of a model's base path: sub-folders named by a positive integer, as in
/// TF-Serving. Other names (for example <c>.3.tmp</c> while a version is being written before a rename) are
/// ignored. Each folder gets a fingerprint of its files' names, sizes and modification times, so the manager
/// can wait until a folder being copied in has stopped changing.
/// </summary>
public static class FileSystemVersionScanner
{
    /// <summary>
    /// The version folders of <paramref name="basePath"/>. Throws <see cref="IOException"/> when the base path
    /// is missing or cannot be read completely: a partial listing must not be mistaken for versions removed.
    /// </summary>
    public static IReadOnlyList<VersionFolder> Scan(string basePath)
    {
        var result = new List<VersionFolder>();
        if (!Directory.Exists(basePath))
        {
            throw new DirectoryNotFoundException($"model base path {basePath} does not exist");
        }
        try
        {
            foreach (var folder in Directory.EnumerateDirectories(basePath))
            {
                var name = Path.GetFileName(folder);
                if (!long.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var version) || version <= 0)
                {
                    continue;
                }
                result.Add(new VersionFolder(version, folder, Fingerprint(folder)));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A folder removed or renamed mid-scan: the next poll sees the settled state.
            throw new IOException($"scanning {basePath} failed: {e.Message}", e);
        }
        return result;
    }

    private static string Fingerprint(string folder)
    {
        var builder = new StringBuilder();
        var files = Directory.GetFiles(folder, "*", SearchOption.AllDirectories);
        Array.Sort(files, StringComparer.Ordinal);
        foreach (var file in files)
        {
            var info = new FileInfo(file);
            builder.Append(Path.GetRelativePath(folder, file)).Append('|')
                .Append(info.Length.ToString(CultureInfo.InvariantCulture)).Append('|')
                .Append(info.LastWriteTimeUtc.Ticks.ToString(CultureInfo.InvariantCulture)).Append(';');
        }
        return builder.ToString();
    }
}
