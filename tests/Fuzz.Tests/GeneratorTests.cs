using CsCheck;
using Google.Protobuf;
using RecServe.Cli.Fuzz;
using RecServe.Core.Signatures;
using RecServe.Core.Tensors;
using Tensorflow.Serving;

namespace Fuzz.Tests;

/// <summary>The generators without a server: valid plans encode to requests that decode back, mutations change bytes.</summary>
public sealed class GeneratorTests
{
    private static readonly ModelSignature Signature = new(
        [new TensorSpec("dense", TensorDataType.Float32, [-1, 13]), new TensorSpec("cat_0", TensorDataType.Int64, [-1, 4])],
        [new TensorSpec("y", TensorDataType.Float32, [-1, 1])]);

    [Fact]
    public void ValidPlansMatchTheSignatureAndDecode() =>
        FuzzPlanGen.Valid("m", Signature).Sample(plan =>
        {
            var request = PredictRequest.Parser.ParseFrom(FuzzProtoEncoder.Predict(plan).ToByteArray());
            Assert.Equal(["dense", "cat_0"], request.Inputs.Keys);
            Assert.All(plan.Inputs, t => Assert.Equal(t.ElementCount, t.Values.Length));
            using var json = System.Text.Json.JsonDocument.Parse(FuzzJsonEncoder.Infer(plan));
            Assert.Equal(2, json.RootElement.GetProperty("inputs").GetArrayLength());
        });

    [Fact]
    public void ProtoMutationsStayFramedOrChangeTheBytes()
    {
        var message = FuzzProtoEncoder.Predict(FuzzPlanGen.Valid("m", Signature).Single()).ToByteArray();
        var changed = 0;
        ProtoMutations.Mutate(message).Sample(m => Interlocked.Add(ref changed, m.Bytes.AsSpan().SequenceEqual(message) ? 0 : 1), iter: 1000, threads: 1);
        // A wire type rewritten to the one it had leaves the bytes as they were; nearly every mutation changes them.
        Assert.True(changed > 900, $"{changed} of 1000 mutations changed the message");
    }

    [Fact]
    public void ProtoFieldsSplitAnEncodedMessage()
    {
        var bytes = new ModelSpec { Name = "m", SignatureName = "s" }.ToByteArray();

        var fields = ProtoFields.Read(bytes);

        Assert.Equal([1, 3], fields.Select(f => f.Number));
        Assert.All(fields, f => Assert.Equal(2, f.WireType));
    }
}
