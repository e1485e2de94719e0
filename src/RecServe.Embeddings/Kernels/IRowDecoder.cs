using System.Runtime.Intrinsics;

namespace RecServe.Embeddings.Kernels;

/// <summary>
/// Loads values of one encoded row as floats. Implemented by structs and used as a generic argument, so each row
/// format gets its own specialised kernel with no virtual calls. Quantised formats return q; the kernel applies
/// the row's scale and bias.
/// </summary>
internal unsafe interface IRowDecoder
{
    /// <summary>Rows start with a float scale and bias (<see cref="Tables.RowCodec.Int8ValuesOffset"/>).</summary>
    static abstract bool Quantized { get; }

    static abstract Vector512<float> Load512(byte* row, int element);

    static abstract Vector256<float> Load256(byte* row, int element);

    static abstract float Load(byte* row, int element);
}
