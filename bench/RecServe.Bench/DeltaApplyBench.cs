using System.Diagnostics;
using RecServe.Core.Tensors;
using RecServe.Embeddings.Deltas;
using RecServe.Embeddings.Overlay;
using RecServe.Embeddings.Tables;

namespace RecServe.Bench;

/// <summary>
/// <c>deltaapply R D</c>: writes two R-row dim-D fp32 deltas (seq 1 and 2, the same ids) for a small base table and
/// times validate + apply (RocksDB commit and snapshot swap) into a fresh overlay, three times; prints rows/s.
/// </summary>
internal static class DeltaApplyBench
{
    public static void Run(int rows, int dim)
    {
        var root = Path.Combine(BenchData.Root, "deltas", $"r{rows}_d{dim}");
        var baseFolder = Path.Combine(root, "base");
        if (!File.Exists(Path.Combine(baseFolder, TableFormat.MetaFileName)))
        {
            using var writer = new EmbeddingTableWriter(baseFolder, "emb", dim, TensorDataType.Float32) { ReplaceExisting = true };
            for (var i = 0; i < 1000; i++)
            {
                writer.Add(Id(i), new float[dim]);
            }
            writer.Complete();
        }
        using var table = EmbeddingTable.Open(baseFolder);
        var schema = DeltaTableSchema.Of(table);
        var deltas = new[] { Path.Combine(root, DeltaFormat.FileName(1)), Path.Combine(root, DeltaFormat.FileName(2)) };
        for (var d = 0; d < deltas.Length; d++)
        {
            var clock = Stopwatch.StartNew();
            using var writer = new DeltaFileWriter(deltas[d], d + 1, [schema]);
            var row = new float[dim];
            for (var i = 0; i < rows; i++)
            {
                row.AsSpan().Fill(i + d);
                writer.Upsert(0, Id(i), row);
            }
            writer.Complete();
            Console.WriteLine($"wrote {deltas[d]} ({new FileInfo(deltas[d]).Length / 1e6:F1} MB) in {clock.Elapsed.TotalSeconds:F2} s");
        }
        for (var trial = 0; trial < 3; trial++)
        {
            var state = Path.Combine(root, $"overlay-{trial}");
            if (Directory.Exists(state))
            {
                Directory.Delete(state, recursive: true);
            }
            using var overlay = EmbeddingOverlay.Open(state, [table]);
            foreach (var path in deltas)
            {
                var clock = Stopwatch.StartNew();
                var delta = DeltaFile.Open(path, overlay.Schemas);
                var validated = clock.Elapsed.TotalSeconds;
                var stages = new double[4];
                overlay.Apply(delta, stage => stages[(int)stage] = clock.Elapsed.TotalSeconds);
                var total = clock.Elapsed.TotalSeconds;
                Console.WriteLine(
                    $"seq {delta.Seq}: {rows} rows dim {dim} fp32 over {overlay.ChangedIdCount("emb") - (delta.Seq == 1 ? rows : 0)} overlay ids: read+validate {validated:F3} s, apply {total - validated:F3} s (snapshot {stages[1] - stages[0]:F3}, commit {stages[2] - stages[1]:F3}), total {total:F3} s = {rows / total / 1e6:F2} M rows/s");
            }
        }
    }

    private static long Id(int i) => (long)((ulong)(i + 1) * 0xD6E8FEB86659FD93UL);
}
