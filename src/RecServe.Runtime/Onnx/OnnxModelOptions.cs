namespace RecServe.Runtime.Onnx;

/// <summary>How ONNX Runtime sessions are configured.</summary>
public sealed record OnnxModelOptions
{
    /// <summary>
    /// Threads one inference may use inside an operator; 0 = one per CPU this process may run on
    /// (<see cref="ResolvedIntraOpThreads"/>).
    /// </summary>
    public int IntraOpThreads { get; init; }

    /// <summary>
    /// The intra-op thread count handed to ONNX Runtime: <see cref="IntraOpThreads"/>, or when that is 0 the CPUs this
    /// process may use (.NET reads the affinity mask and the cgroup quota). Never 0, because ONNX Runtime's own default
    /// counts every core of the machine and pins a pool thread to each: under <c>taskset</c> or a container's cpuset a
    /// server limited to core 0 ran its operators on core 1 too (measured: a pool thread pinned to the load
    /// generator's core), so both servers and in-process figures used cores they were not given.
    /// </summary>
    public int ResolvedIntraOpThreads => IntraOpThreads > 0 ? IntraOpThreads : Environment.ProcessorCount;

    /// <summary>Threads for running independent operators in parallel; 0 lets ONNX Runtime pick.</summary>
    public int InterOpThreads { get; init; }

    /// <summary>
    /// Let ONNX Runtime's pool threads spin while waiting for work (its own default). Off by default here: in a
    /// server the spinning threads take the cores that decode and encode requests need.
    /// </summary>
    public bool AllowSpinning { get; init; }

    /// <summary>Where the dense graph runs: the CPU (default) or an NVIDIA GPU through ONNX Runtime's CUDA execution provider.</summary>
    public OnnxDevice Device { get; init; }

    /// <summary>
    /// Run through pooled runners whose outputs are bound ahead to kept buffers (the default: no allocation per call).
    /// Off keeps every run on the plain path, where ONNX Runtime allocates the outputs and they are copied out: for
    /// comparing the two, and a way out should a model's outputs misbehave when bound.
    /// </summary>
    public bool BindOutputs { get; init; } = true;
}
