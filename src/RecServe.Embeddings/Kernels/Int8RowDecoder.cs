using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using RecServe.Embeddings.Tables;

namespace RecServe.Embeddings.Kernels;

/// <summary>Rows of scale, bias and signed bytes; returns q as float, the kernel multiplies by scale and adds bias.</summary>
internal readonly unsafe struct Int8RowDecoder : IRowDecoder
{
    public static bool Quantized => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load512(byte* row, int element)
    {
        var q = Vector128.Load((sbyte*)(row + RowCodec.Int8ValuesOffset) + element);
        return Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(q));
    }

    // The pointer form loads exactly 8 bytes, so the last row of a mapped file is never over-read.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load256(byte* row, int element) =>
        Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32((sbyte*)(row + RowCodec.Int8ValuesOffset) + element));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Load(byte* row, int element) => ((sbyte*)(row + RowCodec.Int8ValuesOffset))[element];
}
