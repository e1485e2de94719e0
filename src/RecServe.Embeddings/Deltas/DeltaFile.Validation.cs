using System.Buffers.Binary;
using System.Runtime.InteropServices;
using RecServe.Core.Tensors;

namespace RecServe.Embeddings.Deltas;

// Validation: everything between the bytes of a file and a delta that may be applied.
public sealed partial class DeltaFile
{
    /// <summary>Header, declared sizes against the real size, and the whole-file checksum.</summary>
    private static DeltaHeader CheckFrame(ReadOnlySpan<byte> bytes, string path, out ulong checksum)
    {
        var header = DeltaHeader.Read(bytes, path);
        if (header.Version != DeltaFormat.Version)
        {
            throw new DeltaFormatException(path, $"format version {header.Version} is not supported (this build reads version {DeltaFormat.Version})");
        }
        if (header.FileBytes != bytes.Length)
        {
            var what = header.FileBytes > bytes.Length ? "truncated" : "has trailing bytes";
            throw new DeltaFormatException(path, $"file is {bytes.Length} bytes, its header says {header.FileBytes} ({what})");
        }
        if (bytes.Length < DeltaFormat.HeaderBytes + DeltaFormat.TrailerBytes)
        {
            throw new DeltaFormatException(path, $"file is {bytes.Length} bytes, too short for a header and a checksum (truncated)");
        }
        checksum = StoredChecksum(bytes);
        var actual = ComputeChecksum(bytes);
        if (actual != checksum)
        {
            throw new DeltaFormatException(path, $"checksum mismatch (computed {actual:x16}, file says {checksum:x16}): the file is corrupt");
        }
        if (header.Seq <= 0 || header.RecordCount < 0 || header.TableCount < 0 || header.TableCount > ushort.MaxValue + 1
            || header.DenseCount < 0 || header.SchemaBytes < 0
            || header.SchemaBytes > bytes.Length - DeltaFormat.HeaderBytes - DeltaFormat.TrailerBytes)
        {
            throw new DeltaFormatException(path,
                $"header declares seq {header.Seq}, {header.RecordCount} records, {header.TableCount} tables, {header.DenseCount} dense weights, {header.SchemaBytes} schema bytes in a {bytes.Length}-byte file");
        }
        return header;
    }

    /// <summary>
    /// The record section's size must be exactly what the declared counts need; then every record is walked:
    /// kind, table index, per-table counts, and finite row values.
    /// </summary>
    private static void CheckRecords(ReadOnlySpan<byte> records, DeltaHeader header, DeltaTable[] tables, int[] strides, string path)
    {
        long expectedBytes = 0;
        long expectedRecords = 0;
        for (var t = 0; t < tables.Length; t++)
        {
            expectedRecords += tables[t].Upserts + tables[t].Deletes;
            expectedBytes += tables[t].Upserts * (DeltaFormat.RecordHeaderBytes + strides[t]) + tables[t].Deletes * DeltaFormat.RecordHeaderBytes;
        }
        if (expectedRecords != header.RecordCount || expectedBytes != records.Length)
        {
            throw new DeltaFormatException(path,
                $"declares {header.RecordCount} records (tables: {expectedRecords}) needing {expectedBytes} bytes, the file holds {records.Length} bytes of records");
        }
        var upserts = new long[tables.Length];
        var deletes = new long[tables.Length];
        long index = 0;
        while (!records.IsEmpty)
        {
            var kind = (DeltaRecordKind)records[0];
            var table = BinaryPrimitives.ReadUInt16LittleEndian(records[1..]);
            if (table >= tables.Length)
            {
                throw new DeltaFormatException(path, $"record {index} names table {table}, the delta declares {tables.Length}");
            }
            int length;
            if (kind == DeltaRecordKind.Upsert)
            {
                length = DeltaFormat.RecordHeaderBytes + strides[table];
                if (length > records.Length)
                {
                    throw new DeltaFormatException(path, $"record {index} runs past the end of the records");
                }
                CheckRow(records.Slice(DeltaFormat.RecordHeaderBytes, strides[table]), tables[table], index, path);
                upserts[table]++;
            }
            else if (kind == DeltaRecordKind.Delete)
            {
                length = DeltaFormat.RecordHeaderBytes;
                deletes[table]++;
            }
            else
            {
                throw new DeltaFormatException(path, $"record {index} has unknown kind {(byte)kind}");
            }
            records = records[length..];
            index++;
        }
        for (var t = 0; t < tables.Length; t++)
        {
            if (upserts[t] != tables[t].Upserts || deletes[t] != tables[t].Deletes)
            {
                throw new DeltaFormatException(path,
                    $"table '{tables[t].Name}' declares {tables[t].Upserts} upserts and {tables[t].Deletes} deletes, the records hold {upserts[t]} and {deletes[t]}");
            }
        }
    }

    /// <summary>A row must decode to finite values: NaN or infinity would poison every pooled sum it enters.</summary>
    private static void CheckRow(ReadOnlySpan<byte> row, DeltaTable table, long index, string path)
    {
        var finite = table.DataType switch
        {
            TensorDataType.Float32 => AllFinite32(MemoryMarshal.Cast<byte, uint>(row[..(4 * table.Dim)])),
            TensorDataType.Float16 => AllFinite16(MemoryMarshal.Cast<byte, ushort>(row[..(2 * table.Dim)])),
            _ => AllFinite32(MemoryMarshal.Cast<byte, uint>(row[..8])),
        };
        if (!finite)
        {
            throw new DeltaFormatException(path, $"record {index} (table '{table.Name}') holds a value that is not finite");
        }
    }

    private static bool AllFinite32(ReadOnlySpan<uint> bits)
    {
        var all = 0u;
        foreach (var value in bits)
        {
            // Exponent all ones is infinity or NaN; accumulate without branching.
            all |= (value & 0x7F800000u) == 0x7F800000u ? 1u : 0u;
        }
        return all == 0;
    }

    private static bool AllFinite16(ReadOnlySpan<ushort> bits)
    {
        var all = 0u;
        foreach (var value in bits)
        {
            all |= (value & 0x7C00) == 0x7C00 ? 1u : 0u;
        }
        return all == 0;
    }
}
