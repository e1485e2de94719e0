using RecServe.Core.Errors;
using RecServe.Core.Tensors;

namespace RecServe.Protocol.KServe;

/// <summary>
/// Maps the KServe v2 datatype names (<c>FP32</c>, <c>INT64</c>, <c>BYTES</c>, ...) to <see cref="TensorDataType"/>
/// and back. Names are case-sensitive, as the protocol says.
/// </summary>
public static class KServeDataType
{
    /// <summary>The RecServe type for <paramref name="datatype"/>; INVALID_ARGUMENT naming <paramref name="tensorName"/> otherwise.</summary>
    public static TensorDataType Parse(string datatype, string tensorName) => Lookup(datatype, tensorName);

    /// <summary>The RecServe type a KServe v2 datatype, spelled in UTF-8, names; false for any other spelling.</summary>
    public static bool TryParse(ReadOnlySpan<byte> datatype, out TensorDataType type)
    {
        foreach (var (utf8, served) in Utf8Names)
        {
            if (datatype.SequenceEqual(utf8))
            {
                type = served;
                return true;
            }
        }
        type = TensorDataType.Invalid;
        return false;
    }

    private static TensorDataType Lookup(string datatype, string tensorName) => datatype switch
    {
        "FP32" => TensorDataType.Float32,
        "FP64" => TensorDataType.Float64,
        "FP16" => TensorDataType.Float16,
        "INT8" => TensorDataType.Int8,
        "UINT8" => TensorDataType.UInt8,
        "INT32" => TensorDataType.Int32,
        "INT64" => TensorDataType.Int64,
        "BOOL" => TensorDataType.Bool,
        "BYTES" => TensorDataType.String,
        "" => throw ServingException.InvalidArgument($"input '{tensorName}' has no datatype"),
        "INT16" or "UINT16" or "UINT32" or "UINT64" or "BF16" => throw ServingException.InvalidArgument(
            $"input '{tensorName}' has datatype {datatype}, which RecServe does not serve; supported: {Supported}"),
        _ => throw ServingException.InvalidArgument(
            $"input '{tensorName}' has datatype '{datatype}', which is not a KServe v2 datatype; supported: {Supported}"),
    };

    /// <summary>The KServe v2 name of <paramref name="type"/>.</summary>
    public static string Name(TensorDataType type) => type switch
    {
        TensorDataType.Float32 => "FP32",
        TensorDataType.Float64 => "FP64",
        TensorDataType.Float16 => "FP16",
        TensorDataType.Int8 => "INT8",
        TensorDataType.UInt8 => "UINT8",
        TensorDataType.Int32 => "INT32",
        TensorDataType.Int64 => "INT64",
        TensorDataType.Bool => "BOOL",
        TensorDataType.String => "BYTES",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "no KServe v2 datatype"),
    };

    // The served types' names as UTF-8, matched against a JSON token or protobuf bytes without decoding them.
    private static readonly (byte[] Utf8, TensorDataType Type)[] Utf8Names = Array.ConvertAll(
        [TensorDataType.Float32, TensorDataType.Float64, TensorDataType.Float16, TensorDataType.Int8, TensorDataType.UInt8,
            TensorDataType.Int32, TensorDataType.Int64, TensorDataType.Bool, TensorDataType.String],
        type => (System.Text.Encoding.UTF8.GetBytes(Name(type)), type));

    /// <summary>
    /// The type named by the string token <paramref name="reader"/> is on, read without making a string; false when it
    /// names no served type (then <see cref="Parse"/> of its text gives the error).
    /// </summary>
    internal static bool TryParse(ref System.Text.Json.Utf8JsonReader reader, out TensorDataType type)
    {
        foreach (var (utf8, candidate) in Utf8Names)
        {
            if (reader.ValueTextEquals(utf8))
            {
                type = candidate;
                return true;
            }
        }
        type = default;
        return false;
    }

    private const string Supported = "FP32, FP64, FP16, INT8, UINT8, INT32, INT64, BOOL, BYTES";
}
