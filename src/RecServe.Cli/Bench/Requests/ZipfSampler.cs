namespace RecServe.Cli.Bench.Requests;

/// <summary>
/// Draws ranks 1..n with P(k) proportional to k^-exponent, in constant time and memory for any n, by
/// rejection-inversion (Hörmann and Derflinger, "Rejection-inversion to generate variates from monotone discrete
/// distributions", 1996; the same method as Apache Commons RNG's RejectionInversionZipfSampler). Recommendation
/// traffic is Zipf-like: a few ids are hot, most are rare, which is what caches and tiers must be measured under.
/// </summary>
internal sealed class ZipfSampler
{
    private readonly long _n;
    private readonly double _exponent;
    private readonly double _hIntegralX1;
    private readonly double _hIntegralN;
    private readonly double _s;

    /// <summary>Creates a sampler over ranks 1..<paramref name="n"/>; <paramref name="exponent"/> must be positive.</summary>
    public ZipfSampler(long n, double exponent)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        if (!(exponent > 0) || double.IsInfinity(exponent))
        {
            throw new ArgumentOutOfRangeException(nameof(exponent), exponent, "the Zipf exponent must be a positive number");
        }
        _n = n;
        _exponent = exponent;
        _hIntegralX1 = HIntegral(1.5) - 1.0;
        _hIntegralN = HIntegral(n + 0.5);
        _s = 2.0 - HIntegralInverse(HIntegral(2.5) - H(2.0));
    }

    /// <summary>Number of ranks.</summary>
    public long Count => _n;

    /// <summary>The exponent.</summary>
    public double Exponent => _exponent;

    /// <summary>Draws one rank in [1, <see cref="Count"/>]; rank 1 is the most frequent.</summary>
    public long Next(Random random)
    {
        while (true)
        {
            // u is uniform over (hIntegral(1.5) - 1, hIntegral(n + 0.5)]; its inverse lands near a rank.
            var u = _hIntegralN + random.NextDouble() * (_hIntegralX1 - _hIntegralN);
            var x = HIntegralInverse(u);
            var k = (long)(x + 0.5);
            k = Math.Clamp(k, 1, _n);
            // Accept at once when x is close enough to k (the common case), else by the exact test.
            if (k - x <= _s || u >= HIntegral(k + 0.5) - H(k))
            {
                return k;
            }
        }
    }

    private double H(double x) => Math.Exp(-_exponent * Math.Log(x));

    // The integral of H: (x^(1-e) - 1) / (1-e), written so that e close to 1 (log x in the limit) stays exact.
    private double HIntegral(double x)
    {
        var logX = Math.Log(x);
        return Helper2((1.0 - _exponent) * logX) * logX;
    }

    private double HIntegralInverse(double x)
    {
        var t = x * (1.0 - _exponent);
        if (t < -1.0)
        {
            // Rounding can push t just below -1, where log1p is undefined.
            t = -1.0;
        }
        return Math.Exp(Helper1(t) * x);
    }

    // log1p(x) / x, with its Taylor series near 0 where the quotient loses precision.
    private static double Helper1(double x) =>
        Math.Abs(x) > 1e-8 ? Math.Log(1.0 + x) / x : 1.0 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x));

    // expm1(x) / x, likewise.
    private static double Helper2(double x) =>
        Math.Abs(x) > 1e-8 ? (Math.Exp(x) - 1.0) / x : 1.0 + x * 0.5 * (1.0 + x * (1.0 / 3.0) * (1.0 + 0.25 * x));
}
