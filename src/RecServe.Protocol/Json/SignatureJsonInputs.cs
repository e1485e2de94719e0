using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using RecServe.Core.Signatures;
using RecServe.Core.Tensors;

namespace RecServe.Protocol.Json;

/// <summary>
/// The inputs a signature accepts in JSON, worked out once per signature rather than once per request: its inputs in
/// order, then a <c>{feature}.lengths</c> input per sparse feature (ragged ids), with their names as UTF-8 so that a
/// JSON key is matched without decoding it.
/// </summary>
internal sealed class SignatureJsonInputs
{
    private static readonly ConditionalWeakTable<ModelSignature, SignatureJsonInputs> BySignature = new();

    private SignatureJsonInputs(ModelSignature signature)
    {
        var specs = new List<TensorSpec>(signature.Inputs);
        foreach (var spec in signature.Inputs)
        {
            if (spec.Sparse is { } sparse)
            {
                // JSON integers arrive as int64, one of the two types lengths may have.
                specs.Add(new TensorSpec(sparse.LengthsName, TensorDataType.Int64, [-1]));
            }
        }
        Specs = specs.ToArray();
        Utf8Names = new byte[Specs.Length][];
        for (var i = 0; i < Specs.Length; i++)
        {
            Utf8Names[i] = Encoding.UTF8.GetBytes(Specs[i].Name);
        }
    }

    /// <summary>The accepted inputs of <paramref name="signature"/>, made on first use.</summary>
    public static SignatureJsonInputs For(ModelSignature signature) => BySignature.GetValue(signature, static s => new SignatureJsonInputs(s));

    /// <summary>The signature's inputs, then one lengths input per sparse feature.</summary>
    public TensorSpec[] Specs { get; }

    /// <summary>The names of <see cref="Specs"/> as UTF-8.</summary>
    public byte[][] Utf8Names { get; }

    /// <summary>Index of the spec named by the string or property-name token the reader is on, or -1.</summary>
    public int Find(ref Utf8JsonReader reader)
    {
        for (var i = 0; i < Utf8Names.Length; i++)
        {
            if (reader.ValueTextEquals(Utf8Names[i]))
            {
                return i;
            }
        }
        return -1;
    }
}
