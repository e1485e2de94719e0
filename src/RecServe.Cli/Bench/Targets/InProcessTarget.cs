using System.Globalization;
using RecServe.Core.Errors;
using RecServe.Core.Signatures;
using RecServe.Core.Tensors;
using RecServe.Runtime;
using RecServe.Runtime.Onnx;

namespace RecServe.Cli.Bench.Targets;

/// <summary>
/// The model loaded in this process and called through <see cref="IModel.Predict"/>: no sockets, no encoding,
/// no server. What a server reaches is measured against this.
/// </summary>
internal sealed class InProcessTarget : IBenchTarget
{
    private readonly IModel _model;
    private readonly string _versionPath;
    private Dictionary<string, Tensor>[] _inputs = [];

    private InProcessTarget(IModel model, string versionPath)
    {
        _model = model;
        _versionPath = versionPath;
    }

    /// <summary>Loads the requested version (or the highest) under <see cref="TargetSettings.ModelBasePath"/>.</summary>
    public static InProcessTarget Load(TargetSettings settings)
    {
        var basePath = settings.ModelBasePath ?? throw new ArgumentException("--in-process needs --model_base_path");
        var versionPath = FindVersion(basePath, settings.Version);
        // Same engine options as the server was given (--intra_op_threads, --inter_op_threads), so that both
        // sides run the same engine setup.
        return new InProcessTarget(ModelLoader.Load(versionPath, settings.Engine), versionPath);
    }

    private static string FindVersion(string basePath, long? version)
    {
        if (!Directory.Exists(basePath))
        {
            throw new ArgumentException($"--model_base_path {basePath} is not a folder");
        }
        string? best = null;
        var bestVersion = -1L;
        foreach (var folder in Directory.GetDirectories(basePath))
        {
            if (long.TryParse(Path.GetFileName(folder), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
                && number > 0 && ModelLoader.HasModel(folder) && (version is null ? number > bestVersion : number == version))
            {
                (best, bestVersion) = (folder, number);
            }
        }
        return best ?? throw new ArgumentException(version is null
            ? $"{basePath} has no version folder (1/, 2/, ...) holding a model"
            : $"{basePath} has no version {version} holding a model");
    }

    /// <inheritdoc />
    public string Description => $"in-process {_versionPath}";

    /// <inheritdoc />
    public Task<ModelSignature> GetSignatureAsync(CancellationToken cancellationToken) => Task.FromResult(_model.Signature);

    /// <inheritdoc />
    public void Prepare(IReadOnlyList<TensorSet> requests)
    {
        _inputs = new Dictionary<string, Tensor>[requests.Count];
        for (var i = 0; i < requests.Count; i++)
        {
            var inputs = new Dictionary<string, Tensor>(requests[i].Items.Count, StringComparer.Ordinal);
            foreach (var item in requests[i].Items)
            {
                inputs[item.Name] = item.Tensor;
            }
            _inputs[i] = inputs;
        }
    }

    /// <inheritdoc />
    public ValueTask<string?> SendAsync(int request, int worker, CancellationToken cancellationToken)
    {
        try
        {
            // Inputs are only read, so workers share them; the outputs are copied out once, as the server's are.
            using var outputs = _model.Predict(_inputs[request], []);
            return ValueTask.FromResult<string?>(null);
        }
        catch (ServingException e)
        {
            return ValueTask.FromResult<string?>(CallStatus.FromServing(e.Code));
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _model.Dispose();
        return ValueTask.CompletedTask;
    }
}
