using RecServe.Cli.Bench.Update;

namespace RecServe.Cli.Tests.Bench.Update;

public sealed class ResidentMemorySamplerTests
{
    [Fact]
    public void ReadsVmRssFromAStatusText()
    {
        const string Status = "Name:\trecserve\nVmPeak:\t  900000 kB\nVmRSS:\t  123456 kB\nThreads:\t42\n";

        Assert.Equal(123456L * 1024, ResidentMemorySampler.ParseRssBytes(Status));
    }

    [Theory]
    [InlineData("Name:\tx\nThreads:\t1\n")]
    [InlineData("VmRSS:\t  12 MB\n")]
    [InlineData("VmRSS:\t  lots kB\n")]
    public void AStatusTextWithoutAReadableVmRssGivesNull(string status)
    {
        Assert.Null(ResidentMemorySampler.ParseRssBytes(status));
    }

    [Fact]
    public void SamplesARunningProcessUntilDisposed()
    {
        Assert.True(ResidentMemorySampler.ReadRssBytes(Environment.ProcessId) > 1_000_000);

        MemorySample[] samples;
        using (var sampler = new ResidentMemorySampler(Environment.ProcessId, TimeSpan.FromMilliseconds(10)))
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (sampler.Samples.Length < 3 && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(5);
            }
            samples = sampler.Samples;
        }

        Assert.True(samples.Length >= 3);
        Assert.All(samples, s => Assert.True(s.RssBytes > 1_000_000));
        Assert.True(samples[^1].Timestamp > samples[0].Timestamp);
    }

    [Fact]
    public void AProcessThatIsGoneReadsAsNull()
    {
        Assert.Null(ResidentMemorySampler.ReadRssBytes(int.MaxValue));
    }
}
