using System.Diagnostics;
using RecServe.Cli.Bench.Results;

namespace RecServe.Cli.Tests.Bench.Results;

public sealed class RequestTimelineTests
{
    [Fact]
    public void KeepsEachRequestBySequenceAndLeavesGapsUnanswered()
    {
        var timeline = new RequestTimeline(10);
        var tick = Stopwatch.Frequency / 1000; // one millisecond

        timeline.Record(0, 100, 2 * tick, null);
        timeline.Record(3, 400, 5 * tick, "UNAVAILABLE");

        Assert.Equal(4, timeline.Count);
        Assert.Equal(100, timeline.SentAt(0));
        Assert.InRange(timeline.LatencyMicros(0), 1999, 2001);
        Assert.Equal(RequestTimeline.Succeeded, timeline.StatusCode(0));
        Assert.Equal("OK", timeline.StatusName(timeline.StatusCode(0)));
        Assert.Equal(RequestTimeline.Unanswered, timeline.StatusCode(1));
        Assert.Equal("UNANSWERED", timeline.StatusName(timeline.StatusCode(2)));
        Assert.Equal("UNAVAILABLE", timeline.StatusName(timeline.StatusCode(3)));
        Assert.InRange(timeline.LatencyMicros(3), 4999, 5001);
    }

    [Fact]
    public void CountsAnswersPastItsCapacityWithoutKeepingThem()
    {
        var timeline = new RequestTimeline(2);

        timeline.Record(0, 1, 1, null);
        timeline.Record(1, 2, 1, null);
        timeline.Record(2, 3, 1, null);
        timeline.Record(-1, 3, 1, null);

        Assert.Equal(2, timeline.Count);
        Assert.Equal(2, timeline.Overflow);
    }

    [Fact]
    public void SizesItselfForARateAndLength()
    {
        var timeline = RequestTimeline.ForRate(200, TimeSpan.FromSeconds(30));

        Assert.True(timeline.Capacity >= 6000);
    }

    [Fact]
    public void GivesEachFailureKindItsOwnCodeUntilTheCodesRunOut()
    {
        var timeline = new RequestTimeline(400);
        for (var i = 0; i < 300; i++)
        {
            timeline.Record(i, i, 1, "E" + i);
        }

        Assert.Equal("E0", timeline.StatusName(timeline.StatusCode(0)));
        Assert.Equal("E252", timeline.StatusName(timeline.StatusCode(252)));
        // Codes 2..254 name 253 kinds; every later kind shares the last code.
        Assert.Equal("OTHER", timeline.StatusName(timeline.StatusCode(253)));
        Assert.Equal("OTHER", timeline.StatusName(timeline.StatusCode(299)));
    }

    [Fact]
    public void ThreadsRecordingAtOnceLoseNothing()
    {
        const int PerThread = 20_000;
        const int Threads = 4;
        var timeline = new RequestTimeline(PerThread * Threads);

        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, thread =>
        {
            for (var i = 0; i < PerThread; i++)
            {
                long sequence = i * Threads + thread;
                timeline.Record(sequence, sequence, sequence, sequence % 7 == 0 ? "INTERNAL" : null);
            }
        });

        Assert.Equal(PerThread * Threads, timeline.Count);
        for (var slot = 0; slot < timeline.Count; slot++)
        {
            Assert.Equal(slot, timeline.SentAt(slot));
            Assert.Equal(slot % 7 == 0 ? "INTERNAL" : "OK", timeline.StatusName(timeline.StatusCode(slot)));
        }
    }
}
