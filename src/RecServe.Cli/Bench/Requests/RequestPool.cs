using RecServe.Core.Signatures;
using RecServe.Core.Tensors;

namespace RecServe.Cli.Bench.Requests;

/// <summary>
/// The requests a run cycles through, made before the run starts, with the rows each carries. Owns the tensors.
/// </summary>
internal sealed class RequestPool : IDisposable
{
    private readonly List<TensorSet> _requests;

    private RequestPool(List<TensorSet> requests, int[] rows)
    {
        _requests = requests;
        Rows = rows;
    }

    /// <summary>The requests, each a full set of signature inputs in signature order.</summary>
    public IReadOnlyList<TensorSet> Requests => _requests;

    /// <summary>Rows (batch size) of each request.</summary>
    public int[] Rows { get; }

    /// <summary>Number of requests.</summary>
    public int Count => _requests.Count;

    /// <summary>Reads <see cref="RequestSettings.RequestsFile"/>, or generates <see cref="RequestSettings.PoolSize"/> requests.</summary>
    public static RequestPool Build(ModelSignature signature, RequestSettings settings)
    {
        List<TensorSet> requests;
        if (settings.RequestsFile is not null)
        {
            requests = RequestFileReader.Read(settings.RequestsFile, signature);
        }
        else
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(settings.PoolSize, 1);
            var generator = new RequestGenerator(signature, settings);
            requests = new List<TensorSet>(settings.PoolSize);
            for (var i = 0; i < settings.PoolSize; i++)
            {
                requests.Add(generator.Next());
            }
        }
        var rows = new int[requests.Count];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = RowsOf(requests[i], signature);
        }
        return new RequestPool(requests, rows);
    }

    // The batch dimension is the first dimension of a dynamically batched input; a model without one takes one row.
    private static int RowsOf(TensorSet request, ModelSignature signature)
    {
        foreach (var spec in signature.Inputs)
        {
            var tensor = request.Find(spec.Name);
            if (tensor is not null && (spec.HasDynamicBatch || spec.Shape is null) && tensor.Shape.Length > 0)
            {
                return (int)tensor.Shape[0];
            }
        }
        return 1;
    }

    /// <summary>Returns every tensor's pooled buffer.</summary>
    public void Dispose()
    {
        foreach (var request in _requests)
        {
            request.Dispose();
        }
        _requests.Clear();
    }
}
