namespace RecServe.Bench;

/// <summary>
/// Draws ranks 1..n with P(k) ∝ k^-s by rejection-inversion (Hörmann and Derflinger 1996): exact, O(1) per draw
/// and no table of n probabilities, so sampling a 4M-rank distribution costs no memory inside a memory-limited run.
/// </summary>
public sealed class ZipfSampler
{
    private readonly double _exponent;
    private readonly long _n;
    private readonly double _hIntegralX1;
    private readonly double _hIntegralN;
    private readonly double _squeeze;
    private readonly Random _random;

    /// <summary>A sampler of ranks 1..<paramref name="n"/> with exponent <paramref name="exponent"/> (≠ 1).</summary>
    public ZipfSampler(long n, double exponent, int seed)
    {
        if (n < 2 || exponent <= 0 || Math.Abs(exponent - 1) < 1e-9)
        {
            throw new ArgumentException("needs n ≥ 2 and an exponent > 0 other than 1");
        }
        _n = n;
        _exponent = exponent;
        _hIntegralX1 = HIntegral(1.5) - 1;
        _hIntegralN = HIntegral(n + 0.5);
        _squeeze = 2 - HIntegralInverse(HIntegral(2.5) - H(2));
        _random = new Random(seed);
    }

    /// <summary>The next rank, 1 being the most frequent.</summary>
    public long Next()
    {
        while (true)
        {
            var u = _hIntegralN + _random.NextDouble() * (_hIntegralX1 - _hIntegralN);
            var x = HIntegralInverse(u);
            var k = Math.Clamp((long)(x + 0.5), 1, _n);
            // Accepting k whenever it lies close to x is the cheap test; the exact one compares against the
            // integral of the hat function over k's cell.
            if (k - x <= _squeeze || u >= HIntegral(k + 0.5) - H(k))
            {
                return k;
            }
        }
    }

    private double H(double x) => Math.Pow(x, -_exponent);

    // ∫ x^-s dx, shifted so that it is 0 at x = 1.
    private double HIntegral(double x) => (Math.Pow(x, 1 - _exponent) - 1) / (1 - _exponent);

    private double HIntegralInverse(double y) => Math.Pow(1 + y * (1 - _exponent), 1 / (1 - _exponent));
}
