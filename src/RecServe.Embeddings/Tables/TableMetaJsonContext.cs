using System.Text.Json.Serialization;

namespace RecServe.Embeddings.Tables;

/// <summary>Source-generated JSON for <see cref="TableMeta"/>: camelCase, indented, no reflection.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(TableMeta))]
internal sealed partial class TableMetaJsonContext : JsonSerializerContext
{
}
