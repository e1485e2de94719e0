using System.Text.Json;
using RecServe.Core.Tensors;

namespace RecServe.Core.Bundles;

/// <summary>Reads and writes <c>model.json</c>; reading also checks that the manifest is internally consistent.</summary>
public static class BundleManifestFile
{
    /// <summary>Whether <paramref name="versionFolder"/> holds a bundle manifest.</summary>
    public static bool Exists(string versionFolder) => File.Exists(System.IO.Path.Combine(versionFolder, BundleFormat.ManifestFileName));

    /// <summary>Reads and validates the manifest of the bundle in <paramref name="versionFolder"/>.</summary>
    /// <exception cref="BundleFormatException">The file is missing, not JSON, or inconsistent; the message says where.</exception>
    public static BundleManifest Read(string versionFolder)
    {
        var path = System.IO.Path.Combine(versionFolder, BundleFormat.ManifestFileName);
        BundleManifest? manifest;
        try
        {
            using var stream = File.OpenRead(path);
            manifest = JsonSerializer.Deserialize(stream, BundleManifestJsonContext.Default.BundleManifest);
        }
        catch (Exception e) when (e is JsonException or FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BundleFormatException(path, e is JsonException ? $"invalid manifest: {e.Message}" : "file is missing", e);
        }
        if (manifest is null)
        {
            throw new BundleFormatException(path, "manifest is empty");
        }
        var errors = BundleManifestValidator.Validate(manifest);
        if (errors.Count > 0)
        {
            throw new BundleFormatException(path, string.Join("; ", errors));
        }
        return manifest;
    }

    /// <summary>Validates <paramref name="manifest"/> and writes it as <c>model.json</c> in <paramref name="versionFolder"/>.</summary>
    /// <exception cref="ArgumentException">The manifest is inconsistent; nothing is written.</exception>
    public static void Write(string versionFolder, BundleManifest manifest)
    {
        var errors = BundleManifestValidator.Validate(manifest);
        if (errors.Count > 0)
        {
            throw new ArgumentException($"invalid manifest: {string.Join("; ", errors)}", nameof(manifest));
        }
        var path = System.IO.Path.Combine(versionFolder, BundleFormat.ManifestFileName);
        var temp = path + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write))
        {
            JsonSerializer.Serialize(file, manifest, BundleManifestJsonContext.Default.BundleManifest);
            file.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>The manifest as JSON text, as <see cref="Write"/> would store it.</summary>
    public static string ToJson(BundleManifest manifest) =>
        JsonSerializer.Serialize(manifest, BundleManifestJsonContext.Default.BundleManifest);

    /// <summary>The element type of a dense input or output, parsed from its manifest name.</summary>
    public static TensorDataType ParseDtype(string name) =>
        TensorDataTypes.TryParseDisplayName(name, out var type) ? type : TensorDataType.Invalid;
}
