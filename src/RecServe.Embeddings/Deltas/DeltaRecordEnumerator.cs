using System.Buffers.Binary;

namespace RecServe.Embeddings.Deltas;

/// <summary>Walks the records of a validated delta in file order (which is application order); allocates nothing.</summary>
public ref struct DeltaRecordEnumerator
{
    private readonly int[] _strides;
    private ReadOnlySpan<byte> _rest;
    private DeltaRecord _current;

    internal DeltaRecordEnumerator(ReadOnlySpan<byte> records, int[] strides)
    {
        _rest = records;
        _strides = strides;
        _current = default;
    }

    /// <summary>The record at the enumerator's position.</summary>
    public readonly DeltaRecord Current => _current;

    /// <summary>Returns this enumerator, so that <c>foreach</c> works on it.</summary>
    public readonly DeltaRecordEnumerator GetEnumerator() => this;

    /// <summary>Moves to the next record.</summary>
    public bool MoveNext()
    {
        if (_rest.IsEmpty)
        {
            return false;
        }
        // The file was validated on open, so kinds, table indices and lengths are known to be good.
        var kind = (DeltaRecordKind)_rest[0];
        var table = BinaryPrimitives.ReadUInt16LittleEndian(_rest[1..]);
        var id = BinaryPrimitives.ReadInt64LittleEndian(_rest[3..]);
        var rowBytes = kind == DeltaRecordKind.Upsert ? _strides[table] : 0;
        _current = new DeltaRecord(kind, table, id, _rest.Slice(DeltaFormat.RecordHeaderBytes, rowBytes));
        _rest = _rest[(DeltaFormat.RecordHeaderBytes + rowBytes)..];
        return true;
    }
}
