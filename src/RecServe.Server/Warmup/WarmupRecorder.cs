using System.Buffers;
using System.Collections.Concurrent;
using RecServe.Core.Tensors;
using RecServe.Lifecycle;
using RecServe.Protocol.Json;

namespace RecServe.Server.Warmup;

/// <summary>
/// <c>--record_warmup N</c>: appends the first N valid predict requests of each model, from any API, to
/// <c>&lt;state_dir&gt;/&lt;model&gt;/warmup/recorded.jsonl</c> in the warm-up format, for an operator to copy into the
/// next version's <c>warmup/</c> folder. Once a model has its N, the request path pays one counter read.
/// </summary>
public sealed class WarmupRecorder
{
    private readonly int _limit;
    private readonly Func<string, string?> _stateRoot;
    private readonly ConcurrentDictionary<string, Recording> _recordings = new(StringComparer.Ordinal);

    /// <summary>Records <paramref name="limit"/> requests per model (0: none) under the state root <paramref name="stateRoot"/> gives a model (null: not recorded).</summary>
    public WarmupRecorder(int limit, Func<string, string?> stateRoot)
    {
        _limit = limit;
        _stateRoot = stateRoot;
    }

    /// <summary>Records <paramref name="inputs"/> of a request to <paramref name="modelName"/> if it still needs requests.</summary>
    public void Offer(string modelName, IReadOnlyDictionary<string, Tensor> inputs)
    {
        if (_limit <= 0)
        {
            return;
        }
        var recording = _recordings.GetOrAdd(modelName, name => new Recording(_stateRoot(name) is { } root ? StateDirectory.Warmup(root, name) : null));
        if (recording.Folder is null || Interlocked.Increment(ref recording.Taken) > _limit)
        {
            return;
        }
        var line = new ArrayBufferWriter<byte>(1024);
        PredictJsonRequestWriter.Write(line, inputs);
        line.Write("\n"u8);
        lock (recording)
        {
            Directory.CreateDirectory(recording.Folder);
            using var file = new FileStream(Path.Combine(recording.Folder, WarmupRequestFile.RecordedFileName), FileMode.Append, FileAccess.Write);
            file.Write(line.WrittenSpan);
        }
    }

    private sealed class Recording(string? folder)
    {
        public readonly string? Folder = folder;
        public int Taken;
    }
}
