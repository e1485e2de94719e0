using System.Runtime.CompilerServices;
using System.Text.Json;
using RecServe.Core.Errors;
using RecServe.Core.Lifetime;
using RecServe.Core.Signatures;
using RecServe.Core.Tensors;

namespace RecServe.Protocol.Json;

/// <summary>
/// The accumulators of one request, one per signature input in signature order, then an optional one per sparse
/// feature for its <c>{feature}.lengths</c> (ragged ids), with lookup of a JSON key among them and the final
/// conversion to tensors.
/// </summary>
internal sealed class InputSet : IDisposable
{
    // Shapes up to this rank are built on the stack (the reader's default depth limit is 64, plus the row dimension).
    private const int MaxRank = 80;

    // Sets kept per signature between requests, with their accumulators' buffers.
    private static readonly ConditionalWeakTable<ModelSignature, ScratchPool<InputSet>> PoolsBySignature = new();

    private readonly InputAccumulator[] _items;
    private readonly ScratchPool<InputSet> _pool;

    /// <summary>A set for <paramref name="signature"/> from its pool; <see cref="Return"/> it when the request is read.</summary>
    public static InputSet Rent(ModelSignature signature) =>
        PoolsBySignature.GetValue(signature, static s => new ScratchPool<InputSet>(ScratchPool<InputSet>.DefaultSlots, pool => new InputSet(s, pool))).Rent();

    private InputSet(ModelSignature signature, ScratchPool<InputSet> pool)
    {
        _pool = pool;
        if (signature.Inputs.Count == 0)
        {
            throw ServingException.InvalidArgument("the signature has no inputs, so there is nothing to feed");
        }
        var accepted = SignatureJsonInputs.For(signature);
        RequiredCount = signature.Inputs.Count;
        _items = new InputAccumulator[accepted.Specs.Length];
        for (var i = 0; i < _items.Length; i++)
        {
            _items[i] = new InputAccumulator(accepted.Specs[i], accepted.Utf8Names[i], optional: i >= RequiredCount);
        }
    }

    /// <summary>Number of inputs a request may give (the required ones first).</summary>
    public int Count => _items.Length;

    /// <summary>Number of inputs every request must give: the signature's.</summary>
    public int RequiredCount { get; }

    /// <summary>The accumulator of input <paramref name="index"/> (signature order).</summary>
    public InputAccumulator this[int index] => _items[index];

    /// <summary>
    /// Index of the input named by the property-name token the reader is on, or -1. The search starts at
    /// <paramref name="hint"/> (0 to Count - 1), so keys in a predictable order cost one comparison each.
    /// </summary>
    public int Find(ref Utf8JsonReader reader, int hint)
    {
        var count = _items.Length;
        for (var k = 0; k < count; k++)
        {
            var i = hint + k;
            if (i >= count)
            {
                i -= count;
            }
            if (reader.ValueTextEquals(_items[i].Utf8Name))
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>The input names, comma-separated, for error messages.</summary>
    public string NameList()
    {
        var names = new string[RequiredCount];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = _items[i].Name;
        }
        return string.Join(", ", names);
    }

    /// <summary>
    /// Makes the tensors: in row format each gets a leading dimension of <paramref name="rows"/>. Every shape is
    /// checked against the signature before any tensor is made.
    /// </summary>
    public Dictionary<string, Tensor> ToTensors(PredictJsonFormat format, int rows)
    {
        var shapes = new long[_items.Length][];
        for (var i = 0; i < _items.Length; i++)
        {
            // Only an optional input (a feature's lengths) may be absent; the parsers checked the rest.
            if (_items[i].ItemShape is not { } item)
            {
                continue;
            }
            // A copy: the accumulator reuses its shape array for the next request.
            shapes[i] = format == PredictJsonFormat.Row ? [rows, .. item] : (long[])item.Clone();
            CheckAgainstSignature(_items[i].Spec, shapes[i], format);
        }

        var tensors = new Dictionary<string, Tensor>(_items.Length, StringComparer.Ordinal);
        try
        {
            for (var i = 0; i < _items.Length; i++)
            {
                if (shapes[i] is not null)
                {
                    tensors[_items[i].Name] = _items[i].ToTensor(shapes[i]);
                }
            }
        }
        catch
        {
            foreach (var tensor in tensors.Values)
            {
                tensor.Dispose();
            }
            throw;
        }
        return tensors;
    }

    /// <summary>Returns every accumulator's pooled buffer.</summary>
    public void Dispose()
    {
        foreach (var item in _items)
        {
            item.Dispose();
        }
    }

    /// <summary>
    /// As <see cref="ToTensors"/>, into <paramref name="into"/>'s kept tensors: every shape is checked before any input
    /// is taken. The caller clears <paramref name="into"/> when the request is done, also after an error.
    /// </summary>
    public void ToTensorsInto(PredictJsonFormat format, int rows, InputTensorBuffers into)
    {
        Span<long> shape = stackalloc long[MaxRank];
        for (var pass = 0; pass < 2; pass++)
        {
            for (var i = 0; i < _items.Length; i++)
            {
                if (_items[i].ItemShape is not { } item)
                {
                    continue;
                }
                var full = FullShape(format, rows, item, shape);
                if (pass == 0)
                {
                    CheckAgainstSignature(_items[i].Spec, full, format);
                }
                else
                {
                    _items[i].ToTensorInto(full, into);
                }
            }
        }
    }

    private static ReadOnlySpan<long> FullShape(PredictJsonFormat format, int rows, long[] item, Span<long> scratch)
    {
        if (format != PredictJsonFormat.Row)
        {
            return item;
        }
        var full = item.Length + 1 <= scratch.Length ? scratch[..(item.Length + 1)] : new long[item.Length + 1];
        full[0] = rows;
        item.CopyTo(full[1..]);
        return full;
    }

    /// <summary>Readies the set for the next request and puts it back in its pool.</summary>
    public void Return()
    {
        foreach (var item in _items)
        {
            item.Reset();
        }
        _pool.Return(this);
    }

    private static void CheckAgainstSignature(TensorSpec spec, ReadOnlySpan<long> shape, PredictJsonFormat format)
    {
        // Sparse ids come in several ranks; the signature validator checks them with their lengths.
        if (spec.Shape is null || spec.Sparse is not null)
        {
            return;
        }
        var fits = spec.Shape.Length == shape.Length;
        for (var d = 0; fits && d < shape.Length; d++)
        {
            fits = spec.Shape[d] < 0 || spec.Shape[d] == shape[d];
        }
        if (!fits)
        {
            var hint = format == PredictJsonFormat.Row ? " (with 'instances', the first dimension is the number of rows)" : "";
            throw ServingException.InvalidArgument(
                $"input '{spec.Name}' has shape {TensorShape.Format(shape)} but the signature expects {TensorShape.Format(spec.Shape)}{hint}");
        }
    }
}
