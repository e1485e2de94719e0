using RecServe.Embeddings.Cache;

namespace RecServe.Embeddings.Tests.Cache;

public sealed class FrequencySketchTests
{
    [Fact]
    public void EstimateCountsIncrementsUpToTheCap()
    {
        var sketch = new FrequencySketch(1024);
        for (var i = 1; i <= 20; i++)
        {
            sketch.Increment(42);
            Assert.Equal(Math.Min(i, 15), sketch.Estimate(42));
        }
    }

    [Fact]
    public void BlockLocalCountersKeepIdsApart()
    {
        // Counters share 64-byte blocks, so a collision in one counter must not carry over to the estimate: the
        // minimum of four counters in four different quarters of the block.
        var sketch = new FrequencySketch(4096);
        for (long id = 1; id <= 2000; id++)
        {
            sketch.Increment(id);
        }
        for (var i = 0; i < 10; i++)
        {
            sketch.Increment(-7);
        }
        var overestimated = 0;
        for (long id = 1; id <= 2000; id++)
        {
            overestimated += sketch.Estimate(id) > 1 ? 1 : 0;
        }
        Assert.True(sketch.Estimate(-7) >= 10);
        Assert.True(overestimated < 20, $"{overestimated} of 2000 ids seen once estimate above 1");
        Assert.Equal(0, sketch.Estimate(123_456_789));
    }

    [Fact]
    public void CountsAreHalvedAfterTheSamplePeriod()
    {
        // Capacity 64: the sample period is 10 × 64 = 640 increments, and the 640th halves every counter.
        var sketch = new FrequencySketch(64);
        for (var i = 0; i < 12; i++)
        {
            sketch.Increment(5);
        }
        for (long id = 1000; id < 1000 + 639 - 12; id++)
        {
            sketch.Increment(id);
        }
        var before = sketch.Estimate(5);
        Assert.InRange(before, 12, 15);
        sketch.Increment(999_999);
        // The last increment may land on one of id 5's counters before they are halved.
        Assert.InRange(sketch.Estimate(5), before / 2, (before + 1) / 2);
    }
}
