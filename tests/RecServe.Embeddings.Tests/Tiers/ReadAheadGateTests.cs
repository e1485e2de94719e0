using RecServe.Embeddings.Tiers;

namespace RecServe.Embeddings.Tests.Tiers;

public sealed class ReadAheadGateTests
{
    [Fact]
    public void PlainBatchesWithManyDiskReadsTurnItOnOthersOff()
    {
        var gate = new ReadAheadGate();
        Assert.False(gate.ShouldReadAhead());
        gate.RecordPlain(majorFaults: 4, rows: 100);
        Assert.False(gate.IsOn);
        gate.RecordPlain(majorFaults: 5, rows: 100);
        Assert.True(gate.IsOn);
        gate.RecordPlain(majorFaults: 0, rows: 0);
        Assert.True(gate.IsOn);
        gate.RecordPlain(majorFaults: 0, rows: 100);
        Assert.False(gate.IsOn);
        Assert.False(gate.ShouldReadAhead());
        Assert.Equal(0, gate.ReadAheadBatches);
    }

    [Fact]
    public void AGateOfZeroTurnsOnAtAnyMajorFault()
    {
        var gate = new ReadAheadGate(rowsPerMajorFault: 0);
        gate.RecordPlain(majorFaults: 0, rows: 1000);
        Assert.False(gate.IsOn);
        gate.RecordPlain(majorFaults: 1, rows: 1000);
        Assert.True(gate.IsOn);
    }

    [Fact]
    public void WhileOnOneBatchInProbeEveryGoesPlain()
    {
        var gate = new ReadAheadGate();
        gate.RecordPlain(majorFaults: 1, rows: 1);
        var plain = 0;
        for (var i = 0; i < ReadAheadGate.ProbeEvery * 4; i++)
        {
            plain += gate.ShouldReadAhead() ? 0 : 1;
        }
        Assert.Equal(4, plain);
        Assert.Equal(ReadAheadGate.ProbeEvery * 4 - 4, gate.ReadAheadBatches);
    }
}
