namespace RecServe.Server.Warmup;

/// <summary>
/// The warm-up request format (docs/WARMUP.md): files <c>*.jsonl</c> in a version's <c>warmup/</c> folder, read in name
/// order, each line one TF-Serving REST predict body (row or columnar format); blank lines are skipped.
/// </summary>
internal static class WarmupRequestFile
{
    /// <summary>The folder under a version (and under <c>&lt;state_dir&gt;/&lt;model&gt;</c> for recordings).</summary>
    public const string FolderName = "warmup";

    /// <summary>The file name extension read.</summary>
    public const string Extension = ".jsonl";

    /// <summary>The file recordings are appended to.</summary>
    public const string RecordedFileName = "recorded" + Extension;

    /// <summary>Every request of the version at <paramref name="versionPath"/>, with where it came from for error messages.</summary>
    public static IEnumerable<(string Where, byte[] Body)> Read(string versionPath)
    {
        var folder = Path.Combine(versionPath, FolderName);
        if (!Directory.Exists(folder))
        {
            yield break;
        }
        var files = Directory.GetFiles(folder, "*" + Extension);
        Array.Sort(files, StringComparer.Ordinal);
        foreach (var file in files)
        {
            var number = 0;
            foreach (var line in File.ReadLines(file))
            {
                number++;
                if (!string.IsNullOrWhiteSpace(line))
                {
                    yield return ($"{FolderName}/{Path.GetFileName(file)} line {number}", System.Text.Encoding.UTF8.GetBytes(line));
                }
            }
        }
    }
}
