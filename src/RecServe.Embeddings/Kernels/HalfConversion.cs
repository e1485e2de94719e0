using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RecServe.Embeddings.Kernels;

/// <summary>
/// IEEE binary16 → binary32 on vectors of zero-extended halves. Moving exponent and mantissa up 13 bits and
/// multiplying by 2¹¹² rebiases the exponent (127 − 15) and turns subnormal halves into exact normal floats in
/// one step; infinities and NaNs get the all-ones exponent back explicitly. Exact for every input.
/// </summary>
internal static class HalfConversion
{
    private const uint SignMask = 0x8000;
    private const uint ExponentMantissaMask = 0x7FFF;
    private const uint HalfInfinity = 0x7C00;
    private const uint SingleExponentMask = 0x7F800000;
    private const uint Rebias = 0x77800000; // 2^112 as float bits

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> ToSingle(Vector512<uint> halves)
    {
        var exponentMantissa = halves & Vector512.Create(ExponentMantissaMask);
        var sign = (halves & Vector512.Create(SignMask)) << 16;
        var magnitude = (exponentMantissa << 13).AsSingle() * Vector512.Create(Rebias).AsSingle();
        var special = Vector512.GreaterThanOrEqual(exponentMantissa, Vector512.Create(HalfInfinity)) & Vector512.Create(SingleExponentMask);
        return (magnitude.AsUInt32() | sign | special).AsSingle();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> ToSingle(Vector256<uint> halves)
    {
        var exponentMantissa = halves & Vector256.Create(ExponentMantissaMask);
        var sign = (halves & Vector256.Create(SignMask)) << 16;
        var magnitude = (exponentMantissa << 13).AsSingle() * Vector256.Create(Rebias).AsSingle();
        var special = Vector256.GreaterThanOrEqual(exponentMantissa, Vector256.Create(HalfInfinity)) & Vector256.Create(SingleExponentMask);
        return (magnitude.AsUInt32() | sign | special).AsSingle();
    }
}
