using Google.Protobuf;
using Inference;
using RecServe.Core.Tensors;
using RecServe.Protocol.KServe;
using RecServe.Protocol.TensorProto;
using Tensorflow.Serving;

namespace RecServe.Bench;

/// <summary>
/// Response messages kept from one benchmark call to the next, refilled in place: the output bytes are copied into a
/// kept buffer that a fresh <see cref="ByteString"/> wraps (a bytes field only takes an immutable ByteString, so one
/// wrapper per output is the least a protobuf response can cost). Measures what is left of (b) once the message
/// objects are out of the picture; the server does not do this, because gRPC serializes the response after the
/// handler has returned.
/// </summary>
internal sealed class ReusedResponses
{
    private readonly Dictionary<string, byte[]> _content = new(StringComparer.Ordinal);
    private PredictResponse? _tf;
    private ModelInferResponse? _kserve;

    public PredictResponse Tf(ModelSpec spec, TensorSet outputs)
    {
        if (_tf is null || _tf.Outputs.Count != outputs.Items.Count)
        {
            _tf = new PredictResponse { ModelSpec = spec };
            foreach (var (name, tensor) in outputs.Items)
            {
                _tf.Outputs[name] = TensorProtoEncoder.Encode(tensor, TensorEncoding.TensorContent);
            }
            return _tf;
        }
        for (var i = 0; i < outputs.Items.Count; i++)
        {
            var (name, tensor) = outputs.Items[i];
            var proto = _tf.Outputs[name];
            var dims = proto.TensorShape.Dim;
            for (var d = 0; d < dims.Count && d < tensor.Shape.Length; d++)
            {
                dims[d].Size = tensor.Shape[d];
            }
            proto.TensorContent = Wrap(name, tensor);
        }
        return _tf;
    }

    public ModelInferResponse KServe(string model, TensorSet outputs)
    {
        if (_kserve is null || _kserve.Outputs.Count != outputs.Items.Count)
        {
            _kserve = InferResponseEncoder.Encode(model, 1, null, outputs.Items, raw: true);
            return _kserve;
        }
        for (var i = 0; i < outputs.Items.Count; i++)
        {
            var (name, tensor) = outputs.Items[i];
            var shape = _kserve.Outputs[i].Shape;
            for (var d = 0; d < shape.Count && d < tensor.Shape.Length; d++)
            {
                shape[d] = tensor.Shape[d];
            }
            _kserve.RawOutputContents[i] = Wrap(name, tensor);
        }
        return _kserve;
    }

    private ByteString Wrap(string name, Tensor tensor)
    {
        var bytes = tensor.Bytes;
        if (!_content.TryGetValue(name, out var buffer) || buffer.Length != bytes.Length)
        {
            buffer = new byte[bytes.Length];
            _content[name] = buffer;
        }
        bytes.CopyTo(buffer);
        return UnsafeByteOperations.UnsafeWrap(buffer);
    }
}
