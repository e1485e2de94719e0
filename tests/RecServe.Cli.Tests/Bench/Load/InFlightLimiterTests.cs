using RecServe.Cli.Bench.Load;

namespace RecServe.Cli.Tests.Bench.Load;

public sealed class InFlightLimiterTests
{
    [Fact]
    public void RefusesPastTheBoundAndAdmitsAgainAfterAnExit()
    {
        var limiter = new InFlightLimiter(2);
        Assert.True(limiter.TryEnter());
        Assert.True(limiter.TryEnter());
        Assert.False(limiter.TryEnter());
        Assert.Equal(2, limiter.Current);
        limiter.Exit();
        Assert.True(limiter.TryEnter());
    }

    [Fact]
    public void NeverExceedsTheBoundUnderContention()
    {
        var limiter = new InFlightLimiter(3);
        var highest = 0;
        Parallel.For(0, 100_000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
        {
            if (limiter.TryEnter())
            {
                var now = limiter.Current;
                InterlockedMax(ref highest, now);
                limiter.Exit();
            }
        });
        Assert.InRange(highest, 1, 3);
        Assert.Equal(0, limiter.Current);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen)
        {
            var previous = Interlocked.CompareExchange(ref target, value, seen);
            if (previous == seen)
            {
                return;
            }
            seen = previous;
        }
    }
}
