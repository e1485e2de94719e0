using RecServe.Cli.Bench.Update;

namespace RecServe.Cli.Tests.Bench.Update;

public sealed class ProcessSamplerTests
{
    [Fact]
    public void ReadsVmRssFromAStatusText()
    {
        const string Status = "Name:\trecserve\nVmPeak:\t  900000 kB\nVmRSS:\t  123456 kB\nThreads:\t42\n";

        Assert.Equal(123456L * 1024, ProcessSampler.ParseRssBytes(Status));
    }

    [Theory]
    [InlineData("Name:\tx\nThreads:\t1\n")]
    [InlineData("VmRSS:\t  12 MB\n")]
    [InlineData("VmRSS:\t  lots kB\n")]
    public void AStatusTextWithoutAReadableVmRssGivesNull(string status)
    {
        Assert.Null(ProcessSampler.ParseRssBytes(status));
    }

    [Fact]
    public void ReadsUserAndSystemTimeFromAStatLineWhoseNameHasSpacesAndParentheses()
    {
        // Fields 14 (utime) and 15 (stime) are 250 and 50 ticks of 1/100 s.
        const string Stat = "4242 (a (b) c) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 12 0 1000 2000000 3000 18446744073709551615";

        Assert.Equal(3.0, ProcessSampler.ParseCpuSeconds(Stat));
        Assert.Null(ProcessSampler.ParseCpuSeconds("4242 no name"));
        Assert.Null(ProcessSampler.ParseCpuSeconds("4242 (x) S 1 2"));
    }

    [Fact]
    public void SamplesARunningProcessUntilDisposed()
    {
        Assert.True(ProcessSampler.ReadRssBytes(Environment.ProcessId) > 1_000_000);

        ProcessSample[] samples;
        using (var sampler = new ProcessSampler(Environment.ProcessId, TimeSpan.FromMilliseconds(10)))
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
        Assert.All(samples, s => Assert.True(s.CpuSeconds > 0));
        Assert.True(samples[^1].Timestamp > samples[0].Timestamp);
    }

    [Fact]
    public void AProcessThatIsGoneReadsAsNull()
    {
        Assert.Null(ProcessSampler.ReadRssBytes(int.MaxValue));
    }
}
