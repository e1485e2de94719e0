using RecServe.Embeddings.Tiers;

namespace RecServe.Embeddings.Tests.Tiers;

public sealed class ReadAheadGateTests
{
    [Fact]
    public void SlowPlainBatchesTurnItOnFastOnesOff()
    {
        var gate = new ReadAheadGate(slowRowTicks: 100);
        Assert.False(gate.ShouldReadAhead());
        gate.RecordPlain(elapsedTicks: 100 * 50, rows: 50);
        Assert.False(gate.IsOn);
        gate.RecordPlain(elapsedTicks: 100 * 50 + 1, rows: 50);
        Assert.True(gate.IsOn);
        gate.RecordPlain(elapsedTicks: 999_999, rows: 0);
        Assert.True(gate.IsOn);
        gate.RecordPlain(elapsedTicks: 10, rows: 50);
        Assert.False(gate.IsOn);
        Assert.False(gate.ShouldReadAhead());
    }

    [Fact]
    public void WhileOnOneBatchInProbeEveryGoesPlain()
    {
        var gate = new ReadAheadGate(slowRowTicks: 1);
        gate.RecordPlain(elapsedTicks: 1000, rows: 1);
        var plain = 0;
        for (var i = 0; i < ReadAheadGate.ProbeEvery * 4; i++)
        {
            plain += gate.ShouldReadAhead() ? 0 : 1;
        }
        Assert.Equal(4, plain);
    }

    [Fact]
    public void TheDefaultThresholdIsTenMicrosecondsPerRow()
    {
        Assert.Equal(System.Diagnostics.Stopwatch.Frequency / 100_000, ReadAheadGate.SlowRowTicks);
    }
}
