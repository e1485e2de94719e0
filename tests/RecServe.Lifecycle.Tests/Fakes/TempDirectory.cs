namespace RecServe.Lifecycle.Tests.Fakes;

/// <summary>A fresh folder under the temp path, deleted on dispose; holds model base paths and version folders.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "recserve-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>The base path of model <paramref name="model"/> (created).</summary>
    public string ModelPath(string model)
    {
        var path = System.IO.Path.Combine(Path, model);
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Writes <c>model.onnx</c> with <paramref name="size"/> bytes into a version folder of <paramref name="model"/>.</summary>
    public string WriteVersion(string model, string folderName, int size = 16)
    {
        var folder = System.IO.Path.Combine(ModelPath(model), folderName);
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(System.IO.Path.Combine(folder, "model.onnx"), new byte[size]);
        return folder;
    }

    public string WriteVersion(string model, long version, int size = 16) =>
        WriteVersion(model, version.ToString(System.Globalization.CultureInfo.InvariantCulture), size);

    public void DeleteVersion(string model, long version) =>
        Directory.Delete(System.IO.Path.Combine(Path, model, version.ToString(System.Globalization.CultureInfo.InvariantCulture)), recursive: true);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
