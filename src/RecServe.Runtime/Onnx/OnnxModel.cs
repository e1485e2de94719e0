using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using RecServe.Core.Errors;
using RecServe.Core.Lifetime;
using RecServe.Core.Signatures;
using RecServe.Core.Tensors;

namespace RecServe.Runtime.Onnx;

/// <summary>
/// A plain ONNX model served by ONNX Runtime. Inputs are bound to the request tensors' own memory (pinned, not
/// copied). Where output shapes follow from the signature, ONNX Runtime writes the outputs straight into a pooled
/// runner's buffers (<see cref="OnnxRunner"/>), and a steady stream of requests runs without allocating; otherwise
/// outputs are copied once into pooled tensors.
/// </summary>
public sealed class OnnxModel : IModel
{
    private readonly InferenceSession _session;
    private readonly string[] _inputNames;
    private readonly string[] _allOutputNames;
    private readonly List<ReplacedWeight> _replacedWeights;
    private readonly ScratchPool<OnnxRunner>? _runners;
    // Bound outputs need each output's shape before the run: FastPathUnknown until one run has shown that the
    // signature predicts them (FastPathOn) or not (FastPathOff).
    private int _fastPath;
    private const int FastPathUnknown = 0;
    private const int FastPathOn = 1;
    private const int FastPathOff = -1;
    // The input whose first dimension is the batch that dynamic output dimensions take (-1: none).
    private readonly int _batchInput;

    private OnnxModel(InferenceSession session, ModelSignature signature, List<ReplacedWeight> replacedWeights, OnnxModelOptions options)
    {
        _session = session;
        _replacedWeights = replacedWeights;
        Signature = signature;
        _inputNames = new string[signature.Inputs.Count];
        for (var i = 0; i < _inputNames.Length; i++)
        {
            _inputNames[i] = signature.Inputs[i].Name;
        }
        _allOutputNames = new string[signature.Outputs.Count];
        for (var i = 0; i < _allOutputNames.Length; i++)
        {
            _allOutputNames[i] = signature.Outputs[i].Name;
        }
        _batchInput = -1;
        for (var i = 0; i < signature.Inputs.Count; i++)
        {
            if (signature.Inputs[i].HasDynamicBatch)
            {
                _batchInput = i;
                break;
            }
        }
        // On the CPU only: a binding copies CPU inputs to a GPU when bound, so a rebound-only-on-change input
        // would go stale there.
        if (options.BindOutputs && options.Device == OnnxDevice.Cpu && CanBindAhead(signature, _batchInput))
        {
            _runners = new ScratchPool<OnnxRunner>(ScratchPool<OnnxRunner>.DefaultSlots, pool => new OnnxRunner(_session, Signature, pool));
        }
        else
        {
            _fastPath = FastPathOff;
        }
    }

    /// <summary>
    /// Whether outputs can be bound before a run: every value a fixed-size tensor, and every output's shape known
    /// but for a dynamic first dimension that an input's batch gives.
    /// </summary>
    private static bool CanBindAhead(ModelSignature signature, int batchInput)
    {
        foreach (var input in signature.Inputs)
        {
            if (input.DataType == TensorDataType.String)
            {
                return false;
            }
        }
        foreach (var output in signature.Outputs)
        {
            if (output.DataType == TensorDataType.String || output.Shape is null)
            {
                return false;
            }
            for (var d = 0; d < output.Shape.Length; d++)
            {
                if (output.Shape[d] < 0 && (d > 0 || batchInput < 0))
                {
                    return false;
                }
            }
        }
        return true;
    }

    /// <inheritdoc />
    public ModelSignature Signature { get; }

    /// <summary>
    /// Loads <paramref name="path"/>; throws <see cref="ModelLoadException"/> with the reason if it cannot be served.
    /// <paramref name="replacedWeights"/> (from deltas, already checked with <see cref="OnnxInitializers"/>) are used
    /// instead of the file's initializers of the same names.
    /// </summary>
    public static OnnxModel Load(string path, OnnxModelOptions options, IReadOnlyCollection<Embeddings.Deltas.DenseWeightUpdate>? replacedWeights = null)
    {
        using var sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = options.ResolvedIntraOpThreads,
            InterOpNumThreads = options.InterOpThreads,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        var spinning = options.AllowSpinning ? "1" : "0";
        sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", spinning);
        sessionOptions.AddSessionConfigEntry("session.inter_op.allow_spinning", spinning);
        InferenceSession session;
        // ONNX Runtime reads replaced weights from these values for the session's lifetime: they live as long as it does.
        var weights = WeightValues(replacedWeights);
        try
        {
            foreach (var weight in weights)
            {
                sessionOptions.AddInitializer(weight.Name, weight.Value);
            }
            if (options.Device == OnnxDevice.Cuda)
            {
                // Nodes CUDA lacks kernels for fall back to the CPU provider, which is always registered last.
                sessionOptions.AppendExecutionProvider_CUDA(0);
            }
            session = new InferenceSession(path, sessionOptions);
        }
        catch (OnnxRuntimeException e)
        {
            DisposeAll(weights);
            throw new ModelLoadException($"ONNX Runtime cannot load {path}: {e.Message}", e);
        }
        catch
        {
            DisposeAll(weights);
            throw;
        }
        try
        {
            var signature = new ModelSignature(
                ReadSpecs(session.InputNames, session.InputMetadata, "input"),
                ReadSpecs(session.OutputNames, session.OutputMetadata, "output"));
            return new OnnxModel(session, signature, weights, options);
        }
        catch
        {
            session.Dispose();
            DisposeAll(weights);
            throw;
        }
    }

    /// <summary>A weight replaced by a delta: its values, pinned for good, and the ONNX Runtime value over them.</summary>
    private sealed record ReplacedWeight(string Name, OrtValue Value, byte[] Pinned);

    private static unsafe List<ReplacedWeight> WeightValues(IReadOnlyCollection<Embeddings.Deltas.DenseWeightUpdate>? updates)
    {
        var weights = new List<ReplacedWeight>();
        foreach (var update in updates ?? [])
        {
            // On the pinned object heap: ONNX Runtime keeps pointing at these bytes for the session's lifetime.
            var pinned = GC.AllocateUninitializedArray<byte>(update.Data.Length, pinned: true);
            update.Data.CopyTo(pinned, 0);
            var value = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, OnnxTypeMapping.ToElementType(update.DataType),
                update.Shape, (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(pinned)), pinned.Length);
            weights.Add(new ReplacedWeight(update.Name, value, pinned));
        }
        return weights;
    }

    private static void DisposeAll(List<ReplacedWeight> weights)
    {
        foreach (var weight in weights)
        {
            weight.Value.Dispose();
        }
    }

    private static List<TensorSpec> ReadSpecs(IReadOnlyList<string> names, IReadOnlyDictionary<string, NodeMetadata> metadata, string role)
    {
        var specs = new List<TensorSpec>(names.Count);
        foreach (var name in names)
        {
            var node = metadata[name];
            var type = node.IsTensor ? OnnxTypeMapping.ToTensorDataType(node.ElementDataType) : TensorDataType.Invalid;
            if (type == TensorDataType.Invalid)
            {
                throw new ModelLoadException(
                    $"{role} '{name}' is a {node.OnnxValueType} of {node.ElementDataType}; RecServe serves tensors of float32, float64, float16, int8, uint8, int32, int64, bool and string");
            }
            var shape = new long[node.Dimensions.Length];
            for (var i = 0; i < shape.Length; i++)
            {
                shape[i] = node.Dimensions[i] < 0 ? -1 : node.Dimensions[i];
            }
            specs.Add(new TensorSpec(name, type, shape));
        }
        return specs;
    }

    /// <inheritdoc />
    public TensorSet Predict(IReadOnlyDictionary<string, Tensor> inputs, IReadOnlyList<string> outputFilter)
    {
        var count = Signature.Inputs.Count;
        var ordered = ArrayPool<Tensor>.Shared.Rent(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                ordered[i] = inputs[Signature.Inputs[i].Name];
            }
            return PredictOrdered(ordered.AsSpan(0, count), outputFilter);
        }
        finally
        {
            Array.Clear(ordered, 0, count);
            ArrayPool<Tensor>.Shared.Return(ordered);
        }
    }

    /// <summary>
    /// As <see cref="Predict"/>, with the inputs given in <see cref="ModelSignature.Inputs"/> order: a bundle binds
    /// its pooled buffers this way without building a dictionary per request.
    /// </summary>
    internal TensorSet PredictOrdered(ReadOnlySpan<Tensor> inputs, IReadOnlyList<string> outputFilter)
    {
        if (Volatile.Read(ref _fastPath) == FastPathOn)
        {
            var runner = _runners!.Rent();
            try
            {
                return runner.Run(inputs, BatchOf(inputs), outputFilter);
            }
            catch (OnnxRuntimeException)
            {
                _runners.Return(runner);
                // The data's fault (this throws it as the right status) or outputs shaped unlike the signature
                // says: if the plain run succeeds, bound outputs do not suit this model.
                var result = PredictUnbound(inputs, outputFilter);
                Volatile.Write(ref _fastPath, FastPathOff);
                return result;
            }
            catch
            {
                _runners.Return(runner);
                throw;
            }
        }
        var outputs = PredictUnbound(inputs, outputFilter);
        if (Volatile.Read(ref _fastPath) == FastPathUnknown)
        {
            Volatile.Write(ref _fastPath, OutputsAsPredicted(outputs, BatchOf(inputs)) ? FastPathOn : FastPathOff);
        }
        return outputs;
    }

    private long BatchOf(ReadOnlySpan<Tensor> inputs) =>
        _batchInput < 0 || inputs[_batchInput].Shape.Length == 0 ? -1 : inputs[_batchInput].Shape[0];

    /// <summary>Whether every output of a plain run has the shape a bound output would have been given.</summary>
    private bool OutputsAsPredicted(TensorSet outputs, long batch)
    {
        foreach (var (name, tensor) in outputs.Items)
        {
            var spec = Signature.Outputs[Array.IndexOf(_allOutputNames, name)];
            if (spec.Shape!.Length != tensor.Shape.Length)
            {
                return false;
            }
            for (var d = 0; d < spec.Shape.Length; d++)
            {
                if ((spec.Shape[d] < 0 ? batch : spec.Shape[d]) != tensor.Shape[d])
                {
                    return false;
                }
            }
        }
        return true;
    }

    /// <summary>
    /// The run without bound outputs: ONNX Runtime allocates them and they are copied once into pooled tensors.
    /// For models whose output shapes are not known ahead, string tensors, the GPU, and the first run.
    /// </summary>
    private TensorSet PredictUnbound(ReadOnlySpan<Tensor> inputs, IReadOnlyList<string> outputFilter)
    {
        var inputCount = Signature.Inputs.Count;
        var inputValues = new OrtValue[inputCount];
        var pins = ArrayPool<MemoryHandle>.Shared.Rent(inputCount);
        try
        {
            for (var i = 0; i < inputCount; i++)
            {
                inputValues[i] = CreateInput(inputs[i], ref pins[i]);
            }
            var outputNames = outputFilter.Count == 0 ? _allOutputNames : OrderedFilter(outputFilter);
            using var runOptions = new RunOptions();
            using var results = Run(runOptions, _inputNames, inputValues, outputNames);
            var set = new TensorSet(outputNames.Length);
            try
            {
                var index = 0;
                foreach (var value in results)
                {
                    set.Add(outputNames[index++], CopyOutput(value));
                }
                return set;
            }
            catch
            {
                set.Dispose();
                throw;
            }
        }
        finally
        {
            for (var i = 0; i < inputCount; i++)
            {
                inputValues[i]?.Dispose();
                pins[i].Dispose();
                pins[i] = default;
            }
            ArrayPool<MemoryHandle>.Shared.Return(pins);
        }
    }

    private IDisposableReadOnlyCollection<OrtValue> Run(RunOptions runOptions, string[] inputNames, OrtValue[] inputValues, string[] outputNames)
    {
        try
        {
            return _session.Run(runOptions, inputNames, inputValues, outputNames);
        }
        catch (OnnxRuntimeException e)
        {
            throw ExecutionFailed(e);
        }
    }

    private static ServingException ExecutionFailed(OnnxRuntimeException e)
    {
        // Validation already checked names, types and shapes, so what is left is the data itself
        // (e.g. an index out of a Gather's range) or an engine fault.
        var code = e.Message.Contains("INVALID_ARGUMENT", StringComparison.Ordinal) || e.Message.Contains("InvalidArgument", StringComparison.Ordinal)
            ? ServingErrorCode.InvalidArgument
            : ServingErrorCode.Internal;
        return new ServingException(code, $"model execution failed: {e.Message}", e);
    }

    private string[] OrderedFilter(IReadOnlyList<string> filter)
    {
        var names = new List<string>(filter.Count);
        foreach (var name in _allOutputNames)
        {
            foreach (var wanted in filter)
            {
                if (wanted == name)
                {
                    names.Add(name);
                    break;
                }
            }
        }
        return names.ToArray();
    }

    private static unsafe OrtValue CreateInput(Tensor tensor, ref MemoryHandle pin)
    {
        if (tensor.DataType == TensorDataType.String)
        {
            var value = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, tensor.Shape);
            var strings = tensor.Strings;
            for (var i = 0; i < strings.Length; i++)
            {
                value.StringTensorSetElementAt(strings[i].AsSpan(), i);
            }
            return value;
        }
        var memory = tensor.Memory;
        pin = memory.Pin();
        return OrtValue.CreateTensorValueWithData(
            OrtMemoryInfo.DefaultInstance,
            OnnxTypeMapping.ToElementType(tensor.DataType),
            tensor.Shape,
            (IntPtr)pin.Pointer,
            memory.Length);
    }

    private static Tensor CopyOutput(OrtValue value)
    {
        var info = value.GetTensorTypeAndShape();
        var type = OnnxTypeMapping.ToTensorDataType(info.ElementDataType);
        var shape = info.Shape;
        if (type == TensorDataType.String)
        {
            var strings = new byte[info.ElementCount][];
            for (var i = 0; i < strings.Length; i++)
            {
                strings[i] = value.GetStringElementAsSpan(i).ToArray();
            }
            return Tensor.FromStrings(shape, strings);
        }
        return Tensor.FromBytes(type, shape, value.GetTensorMutableRawData());
    }

    /// <summary>Releases the ONNX Runtime session and the runners kept for it.</summary>
    public void Dispose()
    {
        _runners?.Dispose();
        _session.Dispose();
        DisposeAll(_replacedWeights);
    }
}
