using Google.Protobuf;
using Inference;
using RecServe.Core.Tensors;
using RecServe.Protocol.KServe;
using RecServe.Protocol.TensorProto;
using Tensorflow;
using Tensorflow.Serving;
using Proto = Tensorflow.TensorProto;

namespace RecServe.Cli.Fuzz;

/// <summary>Encodes a <see cref="FuzzPlan"/> as TF-Serving <c>PredictRequest</c> and KServe v2 <c>ModelInferRequest</c>.</summary>
internal static class FuzzProtoEncoder
{
    /// <summary>The plan as a TF-Serving <c>PredictRequest</c>; a repeated input name keeps its last tensor.</summary>
    public static PredictRequest Predict(FuzzPlan plan)
    {
        var request = new PredictRequest { ModelSpec = new ModelSpec { Name = plan.Model, Version = plan.Version, SignatureName = plan.Signature ?? string.Empty } };
        foreach (var input in plan.Inputs)
        {
            request.Inputs[input.Name] = Tensor(input);
        }
        request.OutputFilter.Add(plan.Outputs);
        return request;
    }

    private static Proto Tensor(FuzzTensor input)
    {
        var proto = new Proto { Dtype = DataTypeMapping.ToProtoDataType(input.DataType), TensorShape = TensorProtoEncoder.EncodeShape(input.Shape) };
        if (input.Packed && input.DataType != TensorDataType.String)
        {
            proto.TensorContent = ByteString.CopyFrom(FuzzValues.Pack(input.DataType, input.Values));
            return proto;
        }
        foreach (var value in input.Values)
        {
            switch (input.DataType)
            {
                case TensorDataType.Float64:
                    proto.DoubleVal.Add(value);
                    break;
                case TensorDataType.Float16:
                    proto.HalfVal.Add(BitConverter.HalfToUInt16Bits((Half)value));
                    break;
                case TensorDataType.Int8:
                case TensorDataType.UInt8:
                case TensorDataType.Int32:
                    proto.IntVal.Add((int)value);
                    break;
                case TensorDataType.Int64:
                    proto.Int64Val.Add((long)value);
                    break;
                case TensorDataType.Bool:
                    proto.BoolVal.Add(value != 0);
                    break;
                case TensorDataType.String:
                    proto.StringVal.Add(ByteString.CopyFromUtf8(FuzzValues.Text(value)));
                    break;
                default:
                    proto.FloatVal.Add((float)value);
                    break;
            }
        }
        return proto;
    }

    /// <summary>The plan as a KServe v2 <c>ModelInferRequest</c>, packed inputs in <c>raw_input_contents</c>.</summary>
    public static ModelInferRequest Infer(FuzzPlan plan)
    {
        var request = new ModelInferRequest { ModelName = plan.Model, ModelVersion = plan.Version?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty, Id = "fuzz" };
        // KServe has no per-input choice: raw contents are all-or-nothing, so the first input decides (FP16, which
        // has no typed field, always goes raw).
        var raw = plan.Inputs.Count > 0 && (plan.Inputs[0].Packed || plan.Inputs.Any(i => i.DataType == TensorDataType.Float16));
        foreach (var input in plan.Inputs)
        {
            var tensor = new ModelInferRequest.Types.InferInputTensor { Name = input.Name, Datatype = KServeName(input.DataType) };
            tensor.Shape.Add(input.Shape);
            if (raw)
            {
                request.RawInputContents.Add(ByteString.CopyFrom(FuzzValues.Pack(input.DataType, input.Values)));
            }
            else
            {
                tensor.Contents = Contents(input);
            }
            request.Inputs.Add(tensor);
        }
        foreach (var output in plan.Outputs)
        {
            request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = output });
        }
        return request;
    }

    /// <summary>The KServe v2 datatype name, with an unknown one for <see cref="TensorDataType.Invalid"/>.</summary>
    public static string KServeName(TensorDataType type) => type == TensorDataType.Invalid ? "FP128" : KServeDataType.Name(type);

    private static InferTensorContents Contents(FuzzTensor input)
    {
        var contents = new InferTensorContents();
        foreach (var value in input.Values)
        {
            switch (input.DataType)
            {
                case TensorDataType.Float64:
                    contents.Fp64Contents.Add(value);
                    break;
                case TensorDataType.Int8:
                case TensorDataType.Int32:
                    contents.IntContents.Add((int)value);
                    break;
                case TensorDataType.UInt8:
                    contents.UintContents.Add((uint)value);
                    break;
                case TensorDataType.Int64:
                    contents.Int64Contents.Add((long)value);
                    break;
                case TensorDataType.Bool:
                    contents.BoolContents.Add(value != 0);
                    break;
                case TensorDataType.String:
                    contents.BytesContents.Add(ByteString.CopyFromUtf8(FuzzValues.Text(value)));
                    break;
                default:
                    // FP16 has no typed field: sending it in fp32_contents is one of the wrong requests.
                    contents.Fp32Contents.Add((float)value);
                    break;
            }
        }
        return contents;
    }
}
