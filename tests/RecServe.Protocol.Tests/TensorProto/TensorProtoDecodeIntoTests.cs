using Google.Protobuf;
using RecServe.Core.Errors;
using RecServe.Core.Signatures;
using RecServe.Core.Tensors;
using RecServe.Protocol.TensorProto;
using Tensorflow;
using Tensorflow.Serving;
using Proto = Tensorflow.TensorProto;

namespace RecServe.Protocol.Tests.TensorProto;

/// <summary>Decoding into kept buffers (<see cref="InputTensorBuffers"/>): same values as a plain decode, no allocation once warm.</summary>
public sealed class TensorProtoDecodeIntoTests
{
    private static readonly TensorSpec[] Signature =
    [
        new("dense", TensorDataType.Float32, [-1, 2]),
        new("ids", TensorDataType.Int64, [-1, -1]) { Sparse = new SparseIdsSpec("ids", 4) },
    ];

    private static PredictRequest Request(float first, long firstId)
    {
        var request = new PredictRequest();
        request.Inputs["dense"] = ProtoTensors.Content(DataType.DtFloat, [2, 2], [first, 2f, 3f, 4f]);
        request.Inputs["ids"] = ProtoTensors.Content(DataType.DtInt64, [3], [firstId, 8L, 9L]);
        request.Inputs["ids.lengths"] = ProtoTensors.Content(DataType.DtInt32, [2], [1, 2]);
        return request;
    }

    [Fact]
    public void DecodesEveryInputWithTheValuesOfAPlainDecode()
    {
        using var buffers = new InputTensorBuffers();
        var request = Request(1f, 7L);
        request.Inputs["extra"] = new Proto { Dtype = DataType.DtInt32, TensorShape = TensorProtoEncoder.EncodeShape([2]), IntVal = { 5 } };

        TensorProtoDecoder.DecodeAllInto(request.Inputs, Signature, TensorProtoDecoder.DefaultMaxElements, buffers);

        Assert.Equal(4, buffers.Count);
        foreach (var (name, proto) in request.Inputs)
        {
            using var plain = TensorProtoDecoder.Decode(name, proto);
            var kept = buffers.Inputs[name];
            Assert.Equal(plain.DataType, kept.DataType);
            Assert.Equal(plain.Shape, kept.Shape);
            Assert.Equal(plain.Bytes.ToArray(), kept.Bytes.ToArray());
        }
        Assert.Equal([5, 5], buffers.Inputs["extra"].AsSpan<int>().ToArray());
    }

    [Fact]
    public void ASecondRequestLikeTheFirstReusesItsTensorsAndAllocatesNothing()
    {
        using var buffers = new InputTensorBuffers();
        var first = Request(1f, 7L);
        var second = Request(-5f, 11L);
        TensorProtoDecoder.DecodeAllInto(first.Inputs, Signature, TensorProtoDecoder.DefaultMaxElements, buffers);
        var dense = buffers.Inputs["dense"];
        buffers.Clear();

        var before = GC.GetAllocatedBytesForCurrentThread();
        TensorProtoDecoder.DecodeAllInto(second.Inputs, Signature, TensorProtoDecoder.DefaultMaxElements, buffers);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Same(dense, buffers.Inputs["dense"]);
        Assert.Equal([-5f, 2f, 3f, 4f], buffers.Inputs["dense"].AsSpan<float>().ToArray());
        Assert.Equal([11L, 8L, 9L], buffers.Inputs["ids"].AsSpan<long>().ToArray());
    }

    [Fact]
    public void AnotherShapeGetsAnotherTensorAndTypedFieldsOverwriteOldValues()
    {
        using var buffers = new InputTensorBuffers();
        var wide = new PredictRequest();
        wide.Inputs["dense"] = ProtoTensors.Content(DataType.DtFloat, [1, 2], [9f, 9f]);
        TensorProtoDecoder.DecodeAllInto(wide.Inputs, Signature, TensorProtoDecoder.DefaultMaxElements, buffers);
        var old = buffers.Inputs["dense"];
        buffers.Clear();
        var typed = new PredictRequest();
        // No values: zeros, not what the kept buffer held.
        typed.Inputs["dense"] = new Proto { Dtype = DataType.DtFloat, TensorShape = TensorProtoEncoder.EncodeShape([1, 2]) };
        TensorProtoDecoder.DecodeAllInto(typed.Inputs, Signature, TensorProtoDecoder.DefaultMaxElements, buffers);
        Assert.Same(old, buffers.Inputs["dense"]);
        Assert.Equal([0f, 0f], buffers.Inputs["dense"].AsSpan<float>().ToArray());
        buffers.Clear();

        TensorProtoDecoder.DecodeAllInto(Request(1f, 7L).Inputs, Signature, TensorProtoDecoder.DefaultMaxElements, buffers);

        Assert.NotSame(old, buffers.Inputs["dense"]);
        Assert.Equal([2L, 2L], buffers.Inputs["dense"].Shape);
    }

    [Fact]
    public void AMalformedInputIsRefusedAndClearingLeavesNothingBehind()
    {
        using var buffers = new InputTensorBuffers();
        var request = Request(1f, 7L);
        request.Inputs["dense"] = ProtoTensors.Content(DataType.DtFloat, [2, 2], [1f, 2f, 3f]);

        var error = Assert.Throws<ServingException>(() =>
            TensorProtoDecoder.DecodeAllInto(request.Inputs, Signature, TensorProtoDecoder.DefaultMaxElements, buffers));
        buffers.Clear();

        Assert.Equal(ServingErrorCode.InvalidArgument, error.Code);
        Assert.Contains("'dense'", error.Message);
        Assert.Equal(0, buffers.Count);
    }
}
