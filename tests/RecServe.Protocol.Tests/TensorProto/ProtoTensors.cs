using System.Runtime.InteropServices;
using Google.Protobuf;
using RecServe.Protocol.TensorProto;
using Tensorflow;
using Proto = Tensorflow.TensorProto;

namespace RecServe.Protocol.Tests.TensorProto;

/// <summary>Request tensors for the tests, built as clients build them.</summary>
internal static class ProtoTensors
{
    /// <summary>A tensor of <paramref name="values"/> in <c>tensor_content</c>.</summary>
    public static Proto Content<T>(DataType dtype, long[] shape, T[] values) where T : unmanaged => new()
    {
        Dtype = dtype,
        TensorShape = TensorProtoEncoder.EncodeShape(shape),
        TensorContent = ByteString.CopyFrom(MemoryMarshal.AsBytes<T>(values)),
    };
}
