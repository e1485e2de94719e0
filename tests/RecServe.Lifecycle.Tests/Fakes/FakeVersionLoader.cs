using RecServe.Runtime;

namespace RecServe.Lifecycle.Tests.Fakes;

/// <summary>
/// Returns a <see cref="FakeModel"/> per load and records every load. Versions marked failing throw; a gate, when
/// set, holds loads until the test opens it.
/// </summary>
public sealed class FakeVersionLoader : IVersionLoader
{
    private readonly Lock _lock = new();
    private readonly List<FakeModel> _loaded = [];
    private readonly HashSet<(string Model, long Version)> _failing = [];
    private readonly Dictionary<(string Model, long Version), int> _attempts = [];
    private TaskCompletionSource? _gate;
    private TaskCompletionSource? _entered;

    /// <summary>Every model returned, in load order.</summary>
    public IReadOnlyList<FakeModel> Loaded
    {
        get
        {
            lock (_lock)
            {
                return _loaded.ToList();
            }
        }
    }

    /// <summary>How many times a load of this version was attempted, failed ones included.</summary>
    public int Attempts(string model, long version)
    {
        lock (_lock)
        {
            return _attempts.TryGetValue((model, version), out var count) ? count : 0;
        }
    }

    /// <summary>The last model returned for this version.</summary>
    public FakeModel Model(string model, long version)
    {
        lock (_lock)
        {
            return _loaded.Last(m => m.ModelName == model && m.Version == version);
        }
    }

    public void Fail(string model, long version)
    {
        lock (_lock)
        {
            _failing.Add((model, version));
        }
    }

    public void Succeed(string model, long version)
    {
        lock (_lock)
        {
            _failing.Remove((model, version));
        }
    }

    /// <summary>Makes the next loads wait until <see cref="OpenGate"/>; the returned task completes when one is waiting.</summary>
    public Task CloseGate()
    {
        lock (_lock)
        {
            _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _entered.Task;
        }
    }

    public void OpenGate()
    {
        lock (_lock)
        {
            _gate?.TrySetResult();
            _gate = null;
        }
    }

    public IModel Load(string modelName, long version, string path)
    {
        Task? gate;
        lock (_lock)
        {
            _attempts[(modelName, version)] = _attempts.GetValueOrDefault((modelName, version)) + 1;
            gate = _gate?.Task;
            _entered?.TrySetResult();
        }
        // Loads run on the thread pool, so blocking here holds only the load, not the test.
        gate?.Wait();
        lock (_lock)
        {
            if (!File.Exists(Path.Combine(path, "model.onnx")))
            {
                throw new InvalidOperationException($"fake loader: {path} has no model.onnx");
            }
            if (_failing.Contains((modelName, version)))
            {
                throw new InvalidOperationException($"fake load failure of {modelName} version {version}");
            }
            var model = new FakeModel(modelName, version);
            _loaded.Add(model);
            return model;
        }
    }

    /// <summary>The keep-sets <see cref="RemoveStateExcept"/> was called with, in order.</summary>
    public List<IReadOnlySet<long>> StateKeeps { get; } = [];

    public IReadOnlyList<long> RemoveStateExcept(RecServe.Lifecycle.Config.ModelConfig model, IReadOnlySet<long> keep)
    {
        lock (_lock)
        {
            StateKeeps.Add(keep);
            return [];
        }
    }
}
