using System.Text.Json.Serialization;

namespace RecServe.Core.Bundles;

/// <summary>Source-generated JSON for <see cref="BundleManifest"/>: snake_case as in TF-Serving's config files.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow, ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip,
    AllowTrailingCommas = true)]
[JsonSerializable(typeof(BundleManifest))]
internal sealed partial class BundleManifestJsonContext : JsonSerializerContext
{
}
