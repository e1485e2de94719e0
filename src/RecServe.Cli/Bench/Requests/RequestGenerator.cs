using RecServe.Core.Signatures;
using RecServe.Core.Tensors;

namespace RecServe.Cli.Bench.Requests;

/// <summary>
/// Makes random requests that fit a signature: float inputs standard normal, integer inputs Zipf-distributed ids
/// in [0, N) (id 0 the hottest), bools fair coins. The batch dimension gets <see cref="RequestSettings.Batch"/>
/// rows; the bag dimension of an id input gets <see cref="RequestSettings.Bag"/> ids; any other dynamic dimension 1.
/// </summary>
internal sealed class RequestGenerator
{
    private readonly ModelSignature _signature;
    private readonly int _batch;
    private readonly int? _bag;
    private readonly Random _random;
    private readonly Dictionary<string, ZipfSampler> _ids = new(StringComparer.Ordinal);

    /// <summary>Creates a generator; throws <see cref="ArgumentException"/> when the signature cannot be generated for.</summary>
    public RequestGenerator(ModelSignature signature, RequestSettings settings)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.Batch, 1);
        _signature = signature;
        _batch = settings.Batch;
        _bag = settings.Bag;
        _random = new Random(settings.Seed);
        foreach (var name in settings.IdMax.Keys)
        {
            if (!signature.InputsByName.ContainsKey(name))
            {
                throw new ArgumentException($"--id-max names '{name}', which is not an input; inputs: {string.Join(", ", signature.InputsByName.Keys)}");
            }
        }
        foreach (var spec in signature.Inputs)
        {
            if (spec.DataType == TensorDataType.String)
            {
                throw new ArgumentException($"input '{spec.Name}' is a string tensor, which bench cannot generate; give requests with --requests");
            }
            if (IsInteger(spec.DataType))
            {
                var space = settings.IdMax.TryGetValue(spec.Name, out var max) ? max : settings.IdSpace;
                _ids[spec.Name] = new ZipfSampler(Math.Min(space, TypeMax(spec.DataType)), settings.ZipfExponent);
            }
        }
    }

    /// <summary>One new request; the caller owns (and disposes) the tensors.</summary>
    public TensorSet Next()
    {
        var set = new TensorSet(_signature.Inputs.Count);
        try
        {
            foreach (var spec in _signature.Inputs)
            {
                var tensor = Tensor.Allocate(spec.DataType, ShapeOf(spec, _batch, _bag));
                set.Add(spec.Name, tensor);
                Fill(spec, tensor);
            }
            return set;
        }
        catch
        {
            set.Dispose();
            throw;
        }
    }

    /// <summary>The concrete shape a generated tensor gets for <paramref name="spec"/>.</summary>
    public static long[] ShapeOf(TensorSpec spec, int batch, int? bag = null)
    {
        if (spec.Shape is null)
        {
            return [batch];
        }
        var bagWidth = IsInteger(spec.DataType) ? bag ?? spec.Sparse?.MaxIdsPerRow ?? 1 : 1;
        var shape = new long[spec.Shape.Length];
        for (var i = 0; i < shape.Length; i++)
        {
            shape[i] = spec.Shape[i] >= 0 ? spec.Shape[i] : i == 0 ? batch : i == 1 ? bagWidth : 1;
        }
        return shape;
    }

    private void Fill(TensorSpec spec, Tensor tensor)
    {
        switch (spec.DataType)
        {
            case TensorDataType.Float32:
                foreach (ref var v in tensor.AsSpan<float>())
                {
                    v = (float)Normal();
                }
                break;
            case TensorDataType.Float64:
                foreach (ref var v in tensor.AsSpan<double>())
                {
                    v = Normal();
                }
                break;
            case TensorDataType.Float16:
                foreach (ref var v in tensor.AsSpan<Half>())
                {
                    v = (Half)Normal();
                }
                break;
            case TensorDataType.Bool:
                foreach (ref var v in tensor.AsSpan<byte>())
                {
                    v = (byte)_random.Next(2);
                }
                break;
            case TensorDataType.Int64:
                foreach (ref var v in tensor.AsSpan<long>())
                {
                    v = NextId(spec.Name);
                }
                break;
            case TensorDataType.Int32:
                foreach (ref var v in tensor.AsSpan<int>())
                {
                    v = (int)NextId(spec.Name);
                }
                break;
            case TensorDataType.Int8:
                foreach (ref var v in tensor.AsSpan<sbyte>())
                {
                    v = (sbyte)NextId(spec.Name);
                }
                break;
            case TensorDataType.UInt8:
                foreach (ref var v in tensor.AsSpan<byte>())
                {
                    v = (byte)NextId(spec.Name);
                }
                break;
        }
    }

    private long NextId(string input) => _ids[input].Next(_random) - 1;

    // Box-Muller; one of the pair is thrown away, which costs nothing that matters before a run.
    private double Normal()
    {
        var u1 = 1.0 - _random.NextDouble();
        var u2 = _random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    private static bool IsInteger(TensorDataType type) =>
        type is TensorDataType.Int64 or TensorDataType.Int32 or TensorDataType.Int8 or TensorDataType.UInt8;

    private static long TypeMax(TensorDataType type) => type switch
    {
        TensorDataType.Int32 => (long)int.MaxValue + 1,
        TensorDataType.Int8 => (long)sbyte.MaxValue + 1,
        TensorDataType.UInt8 => (long)byte.MaxValue + 1,
        _ => long.MaxValue,
    };
}
