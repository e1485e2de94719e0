using RecServe.Cli.Bench.Load;

namespace RecServe.Cli.Tests.Bench.Load;

public sealed class RateScheduleTests
{
    private const long Frequency = 1_000_000_000;

    [Fact]
    public void SendsAreEvenlySpacedFromTheStart()
    {
        var schedule = new RateSchedule(250, start: 5_000, Frequency);
        Assert.Equal(5_000, schedule.IntendedTimestamp(0));
        Assert.Equal(5_000 + 4_000_000, schedule.IntendedTimestamp(1));
        Assert.Equal(5_000 + 1_000_000_000, schedule.IntendedTimestamp(250));
    }

    [Fact]
    public void OnlyDueSendsAreTaken()
    {
        var schedule = new RateSchedule(1000, start: 0, Frequency);
        Assert.True(schedule.TryTakeDue(0, out var first));
        Assert.Equal(0, first);
        Assert.False(schedule.TryTakeDue(999_999, out var next));
        Assert.Equal(1_000_000, next);
        Assert.True(schedule.TryTakeDue(1_000_000, out next));
        Assert.Equal(1_000_000, next);
        Assert.Equal(2, schedule.Next);
    }

    [Fact]
    public void ADispatcherThatFellBehindGetsEveryOverdueSendWithItsOwnIntendedTime()
    {
        var schedule = new RateSchedule(100, start: 0, Frequency);
        // Stalled for a quarter of a second: sends 0..25 are all due, none is skipped.
        var now = Frequency / 4;
        var intended = new List<long>();
        while (schedule.TryTakeDue(now, out var at))
        {
            intended.Add(at);
        }
        Assert.Equal(26, intended.Count);
        Assert.Equal(Enumerable.Range(0, 26).Select(i => i * 10_000_000L), intended);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(333.3)]
    [InlineData(100_000.0)]
    public void OneSecondHoldsTheRate(double rate)
    {
        var schedule = new RateSchedule(rate, start: 0, Frequency);
        var taken = 0;
        while (schedule.TryTakeDue(Frequency - 1, out _))
        {
            taken++;
        }
        Assert.Equal(Math.Ceiling(rate), taken);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-5.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void RejectsRatesThatAreNotPositive(double rate) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new RateSchedule(rate, 0, Frequency));
}
