using Google.Protobuf;
using RecServe.Import.Onnx;

namespace RecServe.Import.Tests.Onnx;

/// <summary>Our proto subset reads and writes real models without losing what it does not model.</summary>
public sealed class OnnxModelFileTests
{
    [Fact]
    public void Torch_export_round_trips_byte_for_byte()
    {
        var bytes = File.ReadAllBytes(ImportFixtures.ExampleModel);

        var model = OnnxModelFile.Parse(bytes);

        Assert.Equal(bytes, model.ToByteArray());
        Assert.Equal(17, model.OpsetImport[0].Version);
    }

    [Fact]
    public void Unknown_fields_survive_load_and_save()
    {
        // ModelProto.training_info (20) is outside our subset; field 1000 is outside ONNX altogether.
        var extra = new MemoryStream();
        var output = new CodedOutputStream(extra);
        output.WriteTag(20, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFromUtf8("\u000a\u0000"));
        output.WriteTag(1000, WireFormat.WireType.Varint);
        output.WriteInt64(42);
        output.Flush();
        var bytes = File.ReadAllBytes(ImportFixtures.Model("masked_sum")).Concat(extra.ToArray()).ToArray();
        var path = Path.Combine(Path.GetTempPath(), $"recserve-roundtrip-{Guid.NewGuid():N}.onnx");
        try
        {
            File.WriteAllBytes(path, bytes);
            OnnxModelFile.Save(OnnxModelFile.Load(path), path);

            Assert.Equal(bytes, File.ReadAllBytes(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Attribute_zero_keeps_its_presence()
    {
        // keepdims = 0 must be written back: proto3 scalars would drop it and ReduceSum would keep the axis.
        var model = OnnxModelFile.Load(ImportFixtures.ExampleModel);
        var keepdims = model.Graph.Node.First(n => n.OpType == "ReduceSum").Attribute.Single(a => a.Name == "keepdims");

        var again = OnnxModelFile.Parse(model.ToByteArray()).Graph.Node.First(n => n.OpType == "ReduceSum").Attribute.Single(a => a.Name == "keepdims");

        Assert.True(keepdims.HasI && again.HasI);
        Assert.Equal(0, again.I);
    }
}
