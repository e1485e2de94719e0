using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using RecServe.Core.Lifetime;
using RecServe.Core.Tensors;

namespace RecServe.Runtime.Onnx;

/// <summary>
/// What one call to a session needs, kept for the calls after it: an IO binding with the inputs and outputs bound,
/// the run options, and output tensors over pinned buffers that ONNX Runtime writes into. A call holds the runner
/// from the start of the run until its caller disposes the outputs, which returns it to its
/// <see cref="ScratchPool{T}"/>. Bindings change only when a shape does (an input found elsewhere than its binding
/// points is copied to where it points), so a steady stream of same-sized requests runs without allocating.
/// </summary>
internal sealed class OnnxRunner : ITensorSetOwner, IDisposable
{
    private readonly InferenceSession _session;
    private readonly ScratchPool<OnnxRunner> _pool;
    private readonly IReadOnlyList<Core.Signatures.TensorSpec> _inputSpecs;
    private readonly IReadOnlyList<Core.Signatures.TensorSpec> _outputSpecs;
    private readonly OrtIoBinding _binding;
    private readonly RunOptions _runOptions = new();
    private readonly BoundInput[] _inputs;
    private readonly BoundOutput[] _outputs;
    private readonly MemoryHandle[] _pins;
    private readonly TensorSet _result;

    public OnnxRunner(InferenceSession session, Core.Signatures.ModelSignature signature, ScratchPool<OnnxRunner> pool)
    {
        _session = session;
        _pool = pool;
        _inputSpecs = signature.Inputs;
        _outputSpecs = signature.Outputs;
        _binding = session.CreateIoBinding();
        _inputs = new BoundInput[_inputSpecs.Count];
        _outputs = new BoundOutput[_outputSpecs.Count];
        _pins = new MemoryHandle[_inputSpecs.Count];
        _result = new TensorSet(_outputSpecs.Count, this);
    }

    /// <summary>
    /// Runs the session on <paramref name="inputs"/> (signature order, fixed-size types) with every output bound to
    /// this runner's buffers, shaped by <paramref name="batch"/> where the signature's first dimension is dynamic.
    /// Returns the outputs <paramref name="outputFilter"/> names (all when empty), lent: disposing them returns the
    /// runner to its pool. On an exception the runner is not lent; the caller returns it.
    /// </summary>
    public TensorSet Run(ReadOnlySpan<Tensor> inputs, long batch, IReadOnlyList<string> outputFilter)
    {
        try
        {
            for (var i = 0; i < _inputs.Length; i++)
            {
                BindInput(i, inputs[i]);
            }
            for (var i = 0; i < _outputs.Length; i++)
            {
                BindOutput(i, batch);
            }
            _session.RunWithBinding(_runOptions, _binding);
        }
        finally
        {
            for (var i = 0; i < _pins.Length; i++)
            {
                _pins[i].Dispose();
                _pins[i] = default;
            }
        }
        _result.Clear();
        for (var i = 0; i < _outputs.Length; i++)
        {
            var name = _outputSpecs[i].Name;
            if (Wanted(outputFilter, name))
            {
                _result.Add(name, _outputs[i].View!);
            }
        }
        _result.Lend();
        return _result;
    }

    /// <summary>Whether <paramref name="shape"/> is the shape output <paramref name="index"/> takes for <paramref name="batch"/> rows.</summary>
    private bool OutputShapeIs(int index, long batch, long[] shape)
    {
        var template = _outputSpecs[index].Shape!;
        if (template.Length != shape.Length)
        {
            return false;
        }
        for (var d = 0; d < template.Length; d++)
        {
            if ((template[d] < 0 ? batch : template[d]) != shape[d])
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Binds input <paramref name="index"/>: to the request's own bytes when the binding already points there (no
    /// copy, no allocation), on the runner's first call, or else by copying them into the runner's pinned staging
    /// buffer for the input, which stays bound while the shape does. A runner serves calls from any thread, whose
    /// buffers come from different pools, so after one miss it copies: one memcpy per input instead of a new
    /// native value and binding per call.
    /// </summary>
    private unsafe void BindInput(int index, Tensor tensor)
    {
        var memory = tensor.Memory;
        _pins[index] = memory.Pin();
        var pointer = (nint)_pins[index].Pointer;
        ref var bound = ref _inputs[index];
        var sameShape = bound.Shape is not null && bound.ByteLength == memory.Length && bound.Shape.AsSpan().SequenceEqual(tensor.Shape);
        // The binding keeps the address it was given: still right while this call pins the same bytes there.
        if (sameShape && bound.Pointer == pointer)
        {
            return;
        }
        var staging = bound.Staging;
        if (sameShape && staging is not null && bound.Pointer == AddressOf(staging))
        {
            memory.Span.CopyTo(staging);
            return;
        }
        if (bound.Shape is not null)
        {
            if (staging is null || staging.Length < memory.Length)
            {
                staging = GC.AllocateUninitializedArray<byte>(RoundUp(memory.Length), pinned: true);
            }
            memory.Span.CopyTo(staging);
            pointer = AddressOf(staging);
        }
        var shape = (long[])tensor.Shape.Clone();
        // The binding holds its own reference to the native value, so ours can go at once.
        using (var value = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance,
                   OnnxTypeMapping.ToElementType(tensor.DataType), shape, pointer, memory.Length))
        {
            _binding.BindInput(_inputSpecs[index].Name, value);
        }
        bound = new BoundInput(pointer, memory.Length, shape, staging);
    }

    private static unsafe nint AddressOf(byte[] pinned) => (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(pinned));

    // Rounded up so that a batch growing a little at a time does not reallocate each time.
    private static int RoundUp(int byteLength) => (int)Math.Min(BitOperations.RoundUpToPowerOf2((uint)Math.Max(byteLength, 1)), (uint)Array.MaxLength);

    private void BindOutput(int index, long batch)
    {
        ref var bound = ref _outputs[index];
        if (bound.View is not null && OutputShapeIs(index, batch, bound.View.Shape))
        {
            return;
        }
        var spec = _outputSpecs[index];
        var shape = (long[])spec.Shape!.Clone();
        for (var d = 0; d < shape.Length; d++)
        {
            if (shape[d] < 0)
            {
                shape[d] = batch;
            }
        }
        var byteLength = checked((int)(TensorShape.ElementCount(shape) * spec.DataType.ElementSize()));
        var buffer = bound.Buffer;
        if (buffer is null || buffer.Length < byteLength)
        {
            // Pinned for good (pinned object heap): ONNX Runtime keeps the address until the next rebind.
            buffer = GC.AllocateUninitializedArray<byte>(RoundUp(byteLength), pinned: true);
        }
        var pointer = AddressOf(buffer);
        using (var value = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance,
                   OnnxTypeMapping.ToElementType(spec.DataType), shape, pointer, byteLength))
        {
            _binding.BindOutput(spec.Name, value);
        }
        bound = new BoundOutput(buffer, Tensor.OverBuffer(spec.DataType, shape, buffer));
    }

    private static bool Wanted(IReadOnlyList<string> filter, string name)
    {
        if (filter.Count == 0)
        {
            return true;
        }
        for (var i = 0; i < filter.Count; i++)
        {
            if (filter[i] == name)
            {
                return true;
            }
        }
        return false;
    }

    /// <inheritdoc />
    public void Return(TensorSet set)
    {
        // A rare huge batch should not keep its output buffers pinned in every runner it passed through.
        for (var i = 0; i < _outputs.Length; i++)
        {
            if (_outputs[i].Buffer is { Length: > TensorSlot.DefaultKeptBytes })
            {
                _outputs[i] = default;
            }
        }
        for (var i = 0; i < _inputs.Length; i++)
        {
            if (_inputs[i].Staging is { Length: > TensorSlot.DefaultKeptBytes })
            {
                // Unbound from the next call on: a fresh start binds the request's bytes again.
                _inputs[i] = default;
            }
        }
        _pool.Return(this);
    }

    /// <summary>Releases the binding and the run options (the output buffers are managed memory).</summary>
    public void Dispose()
    {
        _binding.Dispose();
        _runOptions.Dispose();
    }

    /// <summary>An input as last bound: its address, length and shape, and the staging buffer for copies.</summary>
    private readonly record struct BoundInput(nint Pointer, long ByteLength, long[]? Shape, byte[]? Staging);

    /// <summary>An output's pinned buffer and the tensor over its bound bytes.</summary>
    private readonly record struct BoundOutput(byte[]? Buffer, Tensor? View);
}
