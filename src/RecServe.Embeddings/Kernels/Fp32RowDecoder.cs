using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RecServe.Embeddings.Kernels;

/// <summary>Rows of plain floats.</summary>
internal readonly unsafe struct Fp32RowDecoder : IRowDecoder
{
    public static bool Quantized => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load512(byte* row, int element) => Vector512.Load((float*)row + element);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load256(byte* row, int element) => Vector256.Load((float*)row + element);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Load(byte* row, int element) => ((float*)row)[element];
}
