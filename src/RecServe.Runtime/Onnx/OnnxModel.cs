using System.Buffers;
using Microsoft.ML.OnnxRuntime;
using RecServe.Core.Errors;
using RecServe.Core.Signatures;
using RecServe.Core.Tensors;

namespace RecServe.Runtime.Onnx;

/// <summary>
/// A plain ONNX model served by ONNX Runtime. Inputs are bound to the request tensors' own memory (pinned,
/// not copied); outputs are copied once into pooled tensors.
/// </summary>
public sealed class OnnxModel : IModel
{
    private readonly InferenceSession _session;
    private readonly string[] _allOutputNames;

    private OnnxModel(InferenceSession session, ModelSignature signature)
    {
        _session = session;
        Signature = signature;
        _allOutputNames = new string[signature.Outputs.Count];
        for (var i = 0; i < _allOutputNames.Length; i++)
        {
            _allOutputNames[i] = signature.Outputs[i].Name;
        }
    }

    /// <inheritdoc />
    public ModelSignature Signature { get; }

    /// <summary>Loads <paramref name="path"/>; throws <see cref="ModelLoadException"/> with the reason if it cannot be served.</summary>
    public static OnnxModel Load(string path, OnnxModelOptions options)
    {
        using var sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = options.IntraOpThreads,
            InterOpNumThreads = options.InterOpThreads,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        var spinning = options.AllowSpinning ? "1" : "0";
        sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", spinning);
        sessionOptions.AddSessionConfigEntry("session.inter_op.allow_spinning", spinning);
        InferenceSession session;
        try
        {
            if (options.Device == OnnxDevice.Cuda)
            {
                // Nodes CUDA lacks kernels for fall back to the CPU provider, which is always registered last.
                sessionOptions.AppendExecutionProvider_CUDA(0);
            }
            session = new InferenceSession(path, sessionOptions);
        }
        catch (OnnxRuntimeException e)
        {
            throw new ModelLoadException($"ONNX Runtime cannot load {path}: {e.Message}", e);
        }
        try
        {
            var signature = new ModelSignature(
                ReadSpecs(session.InputNames, session.InputMetadata, "input"),
                ReadSpecs(session.OutputNames, session.OutputMetadata, "output"));
            return new OnnxModel(session, signature);
        }
        catch
        {
            session.Dispose();
            throw;
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
        var inputCount = Signature.Inputs.Count;
        var inputNames = new string[inputCount];
        var inputValues = new OrtValue[inputCount];
        var pins = ArrayPool<MemoryHandle>.Shared.Rent(inputCount);
        try
        {
            for (var i = 0; i < inputCount; i++)
            {
                var spec = Signature.Inputs[i];
                inputNames[i] = spec.Name;
                inputValues[i] = CreateInput(inputs[i], ref pins[i]);
            }
            var outputNames = outputFilter.Count == 0 ? _allOutputNames : OrderedFilter(outputFilter);
            using var runOptions = new RunOptions();
            using var results = Run(runOptions, inputNames, inputValues, outputNames);
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
            // Validation already checked names, types and shapes, so what is left is the data itself
            // (e.g. an index out of a Gather's range) or an engine fault.
            var code = e.Message.Contains("INVALID_ARGUMENT", StringComparison.Ordinal) || e.Message.Contains("InvalidArgument", StringComparison.Ordinal)
                ? ServingErrorCode.InvalidArgument
                : ServingErrorCode.Internal;
            throw new ServingException(code, $"model execution failed: {e.Message}", e);
        }
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

    /// <summary>Releases the ONNX Runtime session.</summary>
    public void Dispose() => _session.Dispose();
}
