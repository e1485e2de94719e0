using RecServe.Cli.Bench.Requests;

namespace RecServe.Cli.Tests.Bench.Requests;

public sealed class ZipfSamplerTests
{
    [Theory]
    [InlineData(1.05)]
    [InlineData(1.0)]
    [InlineData(0.6)]
    [InlineData(2.0)]
    public void FrequenciesFollowZipfsLaw(double exponent)
    {
        const int n = 20;
        const int samples = 400_000;
        var sampler = new ZipfSampler(n, exponent);
        var random = new Random(42);
        var counts = new long[n + 1];
        for (var i = 0; i < samples; i++)
        {
            counts[sampler.Next(random)]++;
        }

        var norm = Enumerable.Range(1, n).Sum(k => Math.Pow(k, -exponent));
        for (var k = 1; k <= n; k++)
        {
            var expected = samples * Math.Pow(k, -exponent) / norm;
            // Five standard deviations of a binomial count: fails by chance about once in two million runs.
            var tolerance = 5 * Math.Sqrt(expected * (1 - expected / samples));
            Assert.InRange(counts[k], expected - tolerance, expected + tolerance);
        }
        Assert.Equal(0, counts[0]);
    }

    [Theory]
    [InlineData(1L, 1.05)]
    [InlineData(100L, 1.05)]
    [InlineData(1_000_000_000_000L, 1.05)]
    [InlineData(1_000_000L, 0.01)]
    [InlineData(1_000_000L, 5.0)]
    public void RanksStayInRange(long n, double exponent)
    {
        var sampler = new ZipfSampler(n, exponent);
        var random = new Random(7);
        for (var i = 0; i < 100_000; i++)
        {
            Assert.InRange(sampler.Next(random), 1, n);
        }
    }

    [Fact]
    public void RankOneIsTheHottest()
    {
        var sampler = new ZipfSampler(1_000_000, 1.05);
        var random = new Random(3);
        var ones = 0;
        var twos = 0;
        for (var i = 0; i < 200_000; i++)
        {
            var k = sampler.Next(random);
            ones += k == 1 ? 1 : 0;
            twos += k == 2 ? 1 : 0;
        }
        // P(1)/P(2) = 2^1.05, about 2.07.
        Assert.InRange(ones / (double)twos, 1.9, 2.25);
    }

    [Fact]
    public void SameSeedGivesSameSequence()
    {
        var sampler = new ZipfSampler(1000, 1.05);
        var a = new Random(11);
        var b = new Random(11);
        for (var i = 0; i < 1000; i++)
        {
            Assert.Equal(sampler.Next(a), sampler.Next(b));
        }
    }

    [Theory]
    [InlineData(0L, 1.0)]
    [InlineData(10L, 0.0)]
    [InlineData(10L, -1.0)]
    [InlineData(10L, double.NaN)]
    public void RejectsInvalidParameters(long n, double exponent) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ZipfSampler(n, exponent));
}
