using RecServe.Lifecycle.Sources;
using RecServe.Lifecycle.Tests.Fakes;

namespace RecServe.Lifecycle.Tests.Sources;

public sealed class FileSystemVersionScannerTests : IDisposable
{
    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public void ListsOnlyPositiveNumericFolders()
    {
        foreach (var name in new[] { "1", "2", "17", "abc", ".3.tmp", "0", "-1", "+4", "5a", " 6" })
        {
            _root.WriteVersion("m", name);
        }
        File.WriteAllText(Path.Combine(_root.ModelPath("m"), "8"), "a file, not a folder");

        var folders = FileSystemVersionScanner.Scan(_root.ModelPath("m"));

        Assert.Equal([1L, 2L, 17L], folders.Select(f => f.Version).Order());
        Assert.All(folders, f => Assert.Equal(Path.Combine(_root.ModelPath("m"), f.Version.ToString(System.Globalization.CultureInfo.InvariantCulture)), f.Path));
    }

    [Fact]
    public void MissingBasePathIsAnErrorNotAnEmptyList()
    {
        var error = Assert.Throws<DirectoryNotFoundException>(() => FileSystemVersionScanner.Scan(Path.Combine(_root.Path, "absent")));
        Assert.Contains("does not exist", error.Message);
    }

    [Fact]
    public void FingerprintIsStableWhileNothingChanges()
    {
        _root.WriteVersion("m", 1);

        var first = Assert.Single(FileSystemVersionScanner.Scan(_root.ModelPath("m")));
        var second = Assert.Single(FileSystemVersionScanner.Scan(_root.ModelPath("m")));

        Assert.Equal(first.Fingerprint, second.Fingerprint);
    }

    [Fact]
    public void FingerprintChangesWhenAFileChangesSize()
    {
        var folder = _root.WriteVersion("m", 1, size: 16);
        var before = Assert.Single(FileSystemVersionScanner.Scan(_root.ModelPath("m")));

        var file = new FileInfo(Path.Combine(folder, "model.onnx"));
        var time = file.LastWriteTimeUtc;
        File.WriteAllBytes(file.FullName, new byte[32]);
        // Keep the modification time so only the size can tell the difference.
        File.SetLastWriteTimeUtc(file.FullName, time);
        var after = Assert.Single(FileSystemVersionScanner.Scan(_root.ModelPath("m")));

        Assert.NotEqual(before.Fingerprint, after.Fingerprint);
    }

    [Fact]
    public void FingerprintChangesWhenAFileIsAddedInASubfolder()
    {
        var folder = _root.WriteVersion("m", 1);
        var before = Assert.Single(FileSystemVersionScanner.Scan(_root.ModelPath("m")));

        Directory.CreateDirectory(Path.Combine(folder, "variables"));
        File.WriteAllBytes(Path.Combine(folder, "variables", "data"), [1]);
        var after = Assert.Single(FileSystemVersionScanner.Scan(_root.ModelPath("m")));

        Assert.NotEqual(before.Fingerprint, after.Fingerprint);
    }

    [Fact]
    public void FingerprintChangesWhenOnlyTheModificationTimeChanges()
    {
        var folder = _root.WriteVersion("m", 1);
        var file = Path.Combine(folder, "model.onnx");
        File.SetLastWriteTimeUtc(file, new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var before = Assert.Single(FileSystemVersionScanner.Scan(_root.ModelPath("m")));

        File.SetLastWriteTimeUtc(file, new DateTime(2021, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var after = Assert.Single(FileSystemVersionScanner.Scan(_root.ModelPath("m")));

        Assert.NotEqual(before.Fingerprint, after.Fingerprint);
    }
}
