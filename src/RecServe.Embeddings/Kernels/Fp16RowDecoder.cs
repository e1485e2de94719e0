using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RecServe.Embeddings.Kernels;

/// <summary>Rows of IEEE halves, widened to floats on the fly (.NET exposes no F16C, so by bit arithmetic).</summary>
internal readonly unsafe struct Fp16RowDecoder : IRowDecoder
{
    public static bool Quantized => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load512(byte* row, int element)
    {
        var halves = Vector256.Load((ushort*)row + element);
        return HalfConversion.ToSingle(Avx512F.ConvertToVector512UInt32(halves));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load256(byte* row, int element) =>
        HalfConversion.ToSingle(Avx2.ConvertToVector256Int32((ushort*)row + element).AsUInt32());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Load(byte* row, int element) => (float)((Half*)row)[element];
}
