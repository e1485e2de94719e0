using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Integration.Tests;

/// <summary>ONNX Runtime run in-process on the same model file: the answer the server must reproduce.</summary>
internal sealed class OrtReference : IDisposable
{
    private readonly InferenceSession _session;

    public OrtReference(string modelPath)
    {
        _session = new InferenceSession(modelPath);
    }

    public IReadOnlyDictionary<string, NodeMetadata> Inputs => _session.InputMetadata;

    public IReadOnlyList<string> OutputNames => _session.OutputNames;

    public List<InputData> RandomInputs(int batch, int seed)
    {
        var random = new Random(seed);
        return _session.InputNames.Select(name => InputData.Random(name, _session.InputMetadata[name], batch, random)).ToList();
    }

    /// <summary>Each output as (shape, numeric values or null, string values or null).</summary>
    public Dictionary<string, (long[] Shape, double[]? Numbers, string[]? Strings)> Run(IReadOnlyList<InputData> inputs)
    {
        var values = inputs.Select(i => i.ToOrtValue()).ToList();
        try
        {
            using var runOptions = new RunOptions();
            using var results = _session.Run(runOptions, inputs.Select(i => i.Name).ToList(), values, _session.OutputNames);
            var answer = new Dictionary<string, (long[], double[]?, string[]?)>();
            var index = 0;
            foreach (var result in results)
            {
                var info = result.GetTensorTypeAndShape();
                var name = _session.OutputNames[index++];
                answer[name] = info.ElementDataType switch
                {
                    TensorElementType.String => (info.Shape, null, result.GetStringTensorAsArray()),
                    TensorElementType.Float => (info.Shape, result.GetTensorDataAsSpan<float>().ToArray().Select(v => (double)v).ToArray(), null),
                    TensorElementType.Double => (info.Shape, result.GetTensorDataAsSpan<double>().ToArray(), null),
                    TensorElementType.Int64 => (info.Shape, result.GetTensorDataAsSpan<long>().ToArray().Select(v => (double)v).ToArray(), null),
                    TensorElementType.Int32 => (info.Shape, result.GetTensorDataAsSpan<int>().ToArray().Select(v => (double)v).ToArray(), null),
                    TensorElementType.Bool => (info.Shape, result.GetTensorDataAsSpan<bool>().ToArray().Select(v => v ? 1.0 : 0.0).ToArray(), null),
                    TensorElementType.Float16 => (info.Shape, result.GetTensorDataAsSpan<Float16>().ToArray().Select(v => (double)BitConverter.UInt16BitsToHalf(v.value)).ToArray(), null),
                    _ => throw new InvalidOperationException("unexpected output type " + info.ElementDataType),
                };
            }
            return answer;
        }
        finally
        {
            values.ForEach(v => v.Dispose());
        }
    }

    public void Dispose() => _session.Dispose();
}
