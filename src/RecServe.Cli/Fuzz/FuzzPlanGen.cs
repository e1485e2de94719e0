using CsCheck;
using RecServe.Core.Signatures;
using RecServe.Core.Tensors;

namespace RecServe.Cli.Fuzz;

/// <summary>
/// Generates <see cref="FuzzPlan"/>s for one model: valid requests (NaN and infinities included, which a model
/// must take), and requests with one thing made wrong on purpose: shapes, value counts, dtypes, names, versions.
/// </summary>
internal static class FuzzPlanGen
{
    private const string None = "none";

    private static readonly long[] OddDims = [0, -1, -2, 1, 3, int.MaxValue, 1L << 31, 1L << 32, 1L << 40, long.MaxValue, long.MinValue];
    private static readonly string[] OddNames = ["", " ", "nope", "x\0y", "../../etc/passwd", "模型", "%00", new string('m', 300)];
    private static readonly long[] OddVersions = [0, -1, 99999, long.MaxValue, long.MinValue];
    private static readonly TensorDataType[] AllTypes = Enum.GetValues<TensorDataType>();

    private static readonly Gen<double> Floats = Gen.Frequency(
        (40, Gen.Double[-10, 10]),
        (1, Gen.Const(double.NaN)),
        (1, Gen.Const(double.PositiveInfinity)),
        (1, Gen.Const(double.NegativeInfinity)),
        (1, Gen.Const(-0.0)),
        (1, Gen.Const(1e-45)));

    // Small enough for any embedding table of a real model (the example's smallest has 100 rows); -1 pads.
    private static readonly Gen<double> Ids = Gen.Int[-1, 99].Select(i => (double)i);

    private static readonly Gen<double> ExtremeValues = Gen.OneOf(
        double.NaN, double.PositiveInfinity, double.NegativeInfinity, double.MaxValue, -double.MaxValue, 1e300,
        long.MaxValue, long.MinValue, int.MaxValue, int.MinValue, -1, 1000, -1000, 4294967296.0);

    /// <summary>Valid requests and requests with one mutation, for <paramref name="model"/> with <paramref name="signature"/>.</summary>
    public static Gen<FuzzPlan> For(string model, ModelSignature signature) =>
        Valid(model, signature).SelectMany(plan => Gen.Frequency(
            (30, Gen.Const(plan)),
            (6, Dim(plan)),
            (4, Rank(plan)),
            (6, Count(plan)),
            (4, RepeatLast(plan)),
            (5, DataType(plan)),
            (3, Extreme(plan)),
            (2, UnknownInput(plan)),
            (2, MissingInput(plan)),
            (1, DuplicateInput(plan)),
            (2, Gen.OneOf(OddNames).Select(n => plan with { Model = n, Mutation = "model name" })),
            (2, Gen.OneOf(OddVersions).Select(v => plan with { Version = v, Mutation = "version" })),
            (1, Gen.OneOf(OddNames).Select(n => plan with { Signature = n, Mutation = "signature name" })),
            (1, Gen.OneOf(OddNames).Select(n => plan with { Outputs = [n], Mutation = "output filter" })),
            (1, Gen.Const(plan with { Inputs = [], Mutation = "no inputs" })),
            (1, InputName(plan))));

    /// <summary>Valid requests only: the model's inputs with a batch of 1 to 8 rows.</summary>
    public static Gen<FuzzPlan> Valid(string model, ModelSignature signature) =>
        Gen.Int[1, 8].SelectMany(batch =>
        {
            var inputs = Gen.Const(Array.Empty<FuzzTensor>());
            foreach (var spec in signature.Inputs)
            {
                inputs = inputs.SelectMany(list => ValidTensor(spec, batch).Select(t => (FuzzTensor[])[.. list, t]));
            }
            return inputs.Select(list => new FuzzPlan(model, null, null, list, [], None));
        });

    private static Gen<FuzzTensor> ValidTensor(TensorSpec spec, int batch)
    {
        var shape = spec.Shape is null ? [batch] : new long[spec.Shape.Length];
        for (var i = 0; spec.Shape is not null && i < shape.Length; i++)
        {
            shape[i] = spec.Shape[i] >= 0 ? spec.Shape[i] : i == 0 ? batch : 2;
        }
        var count = (int)Math.Min(Product(shape), 4096);
        var values = spec.DataType is TensorDataType.Float32 or TensorDataType.Float64 or TensorDataType.Float16 ? Floats : Ids;
        // FP16 has no typed field in KServe: it travels packed, as clients send it.
        return Gen.Select(values.Array[count], Gen.Bool, (v, packed) =>
            new FuzzTensor(spec.Name, spec.DataType, shape, v, packed || spec.DataType == TensorDataType.Float16));
    }

    private static long Product(long[] shape)
    {
        long count = 1;
        foreach (var dim in shape)
        {
            count *= dim;
        }
        return count;
    }

    private static Gen<FuzzPlan> Change(FuzzPlan plan, string mutation, Func<FuzzTensor, Gen<FuzzTensor>> change)
    {
        if (plan.Inputs.Count == 0)
        {
            return Gen.Const(plan);
        }
        return Gen.Int[0, plan.Inputs.Count - 1].SelectMany(index => change(plan.Inputs[index]).Select(tensor =>
        {
            var inputs = plan.Inputs.ToArray();
            inputs[index] = tensor;
            return plan with { Inputs = inputs, Mutation = mutation };
        }));
    }

    private static Gen<FuzzPlan> Dim(FuzzPlan plan) => Change(plan, "dimension", t =>
        t.Shape.Length == 0
            ? Gen.Const(t with { Shape = [0] })
            : Gen.Select(Gen.Int[0, t.Shape.Length - 1], Gen.OneOf(OddDims), (i, dim) =>
            {
                var shape = t.Shape.ToArray();
                shape[i] = dim;
                return t with { Shape = shape };
            }));

    private static Gen<FuzzTensor> Rank(FuzzTensor t) => Gen.Bool.SelectMany(grow => grow || t.Shape.Length == 0
        ? Gen.Int[1, 3].Select(n => t with { Shape = [.. t.Shape, .. Enumerable.Repeat(1L, n)] })
        : Gen.Int[0, t.Shape.Length - 1].Select(n => t with { Shape = t.Shape[..n] }));

    private static Gen<FuzzPlan> Rank(FuzzPlan plan) => Change(plan, "rank", Rank);

    private static Gen<FuzzPlan> Count(FuzzPlan plan) => Change(plan, "value count", t =>
        Gen.Frequency(
            (3, Gen.Int[1, 5].Select(n => t with { Values = [.. t.Values, .. Enumerable.Repeat(1.0, n)] })),
            (3, Gen.Int[0, Math.Max(0, t.Values.Length - 1)].Select(n => t with { Values = t.Values[..n] })),
            (1, Gen.Const(t with { Values = [] }))));

    // TensorFlow repeats the last typed value to fill the shape: a few bytes may claim billions of elements.
    private static Gen<FuzzPlan> RepeatLast(FuzzPlan plan) => Change(plan, "repeat-last", t =>
        Gen.Int[16, 62].Select(bits => t with { Shape = [1L << bits, .. t.Shape.Skip(1)], Values = [1.0], Packed = false }));

    private static Gen<FuzzPlan> DataType(FuzzPlan plan) => Change(plan, "dtype", t =>
        Gen.OneOf(AllTypes).Where(type => type != t.DataType).Select(type => t with { DataType = type }));

    private static Gen<FuzzPlan> Extreme(FuzzPlan plan) => Change(plan, "extreme values", t =>
        ExtremeValues.Array[t.Values.Length].Select(values => t with { Values = values }));

    private static Gen<FuzzPlan> UnknownInput(FuzzPlan plan) =>
        Gen.OneOf(OddNames).Select(name => plan with
        {
            Inputs = [.. plan.Inputs, new FuzzTensor(name, TensorDataType.Float32, [1, 1], [1], false)],
            Mutation = "unknown input",
        });

    private static Gen<FuzzPlan> MissingInput(FuzzPlan plan) => plan.Inputs.Count == 0
        ? Gen.Const(plan)
        : Gen.Int[0, plan.Inputs.Count - 1].Select(i => plan with { Inputs = [.. plan.Inputs.Where((_, j) => j != i)], Mutation = "missing input" });

    private static Gen<FuzzPlan> DuplicateInput(FuzzPlan plan) => plan.Inputs.Count == 0
        ? Gen.Const(plan)
        : Gen.Int[0, plan.Inputs.Count - 1].Select(i => plan with { Inputs = [.. plan.Inputs, plan.Inputs[i]], Mutation = "duplicate input" });

    private static Gen<FuzzPlan> InputName(FuzzPlan plan) => Change(plan, "input name", t =>
        Gen.OneOf(OddNames).Select(name => t with { Name = name }));
}
