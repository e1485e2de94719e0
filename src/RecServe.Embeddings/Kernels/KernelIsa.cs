using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RecServe.Embeddings.Kernels;

/// <summary>
/// The widest vector path a kernel may take. Production code uses <see cref="KernelIsas.Best"/>; tests force the
/// narrower paths so that all of them are checked against the scalar reference on one machine.
/// </summary>
internal enum KernelIsa
{
    Scalar,
    Vector256,
    Vector512,
}

/// <summary>Picks the <see cref="KernelIsa"/> the hardware supports.</summary>
internal static class KernelIsas
{
    public static readonly KernelIsa Best =
        Vector512.IsHardwareAccelerated && Avx512F.IsSupported && Avx2.IsSupported ? KernelIsa.Vector512
        : Vector256.IsHardwareAccelerated && Avx2.IsSupported && Fma.IsSupported ? KernelIsa.Vector256
        : KernelIsa.Scalar;

    /// <summary>The narrower of <paramref name="requested"/> and what the hardware supports.</summary>
    public static KernelIsa Limit(KernelIsa requested) => requested < Best ? requested : Best;
}
