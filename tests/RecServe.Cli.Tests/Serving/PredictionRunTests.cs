using Microsoft.Extensions.Logging.Abstractions;
using Prometheus;
using RecServe.Core.Errors;
using RecServe.Core.Tensors;
using RecServe.Lifecycle;
using RecServe.Lifecycle.Config;
using RecServe.Lifecycle.Versions;
using RecServe.Runtime.Onnx;
using RecServe.Server.Hosting;
using RecServe.Server.Metrics;
using RecServe.Server.Serving;
using RecServe.Server.Warmup;

namespace RecServe.Cli.Tests.Serving;

/// <summary>
/// <see cref="PredictionRun"/> on a real pipeline serving the fixture MLP (x float32 [batch, 8] → y [batch, 3]): what
/// it counts under which labels, and that input buffers go back to the pool exactly once, except after a request
/// cancelled once a model could hold them.
/// </summary>
public sealed class PredictionRunTests : IDisposable
{
    private const string Api = "test_api";
    private readonly ModelManager _manager;
    private readonly ServingMetrics _metrics = new();
    private readonly PredictionPipeline _pipeline;

    public PredictionRunTests()
    {
        _manager = new ModelManager(new ModelFolderLoader(new OnnxModelOptions { IntraOpThreads = 1 }), NullLogger<ModelManager>.Instance);
        var models = Path.Combine(RepositoryPaths.Root, "tests", "fixtures", "models", "mlp_opset17");
        _manager.ApplyConfigAsync([ModelConfig.Latest("mlp", models)]).GetAwaiter().GetResult();
        _pipeline = new PredictionPipeline(_manager, _metrics, new WarmupRecorder(0, static _ => null), new ServerOptions());
    }

    public void Dispose() => _manager.Dispose();

    [Fact]
    public async Task ASuccessIsCountedWithItsVersionAndReturnsTheInputsOnce()
    {
        var steps = new Steps();
        var inputs = _pipeline.InputBuffers.Rent();

        var rows = await PredictionRun.RunAsync<TestExchange, long>(_pipeline, Api, new TestExchange("mlp", steps), inputs);

        Assert.Equal(2, rows);
        Assert.Equal("target receive deadline decode encode dispose", steps.ToString());
        Assert.Equal(0, inputs.Count);
        Assert.Equal(1, TimesPooled(inputs));
        Assert.Contains($"recserve_requests_total{{model=\"mlp\",version=\"2\",api=\"{Api}\",status=\"OK\"}} 1", await ScrapeAsync());
    }

    [Fact]
    public async Task AnUnknownModelIsNotFoundCountedUnderItsApiAndReturnsTheInputs()
    {
        var steps = new Steps();
        var inputs = _pipeline.InputBuffers.Rent();

        var error = await Assert.ThrowsAsync<ServingException>(() =>
            PredictionRun.RunAsync<TestExchange, long>(_pipeline, Api, new TestExchange("nope", steps), inputs).AsTask());

        Assert.Equal(ServingErrorCode.NotFound, error.Code);
        Assert.Equal("target receive dispose", steps.ToString());
        Assert.Equal(1, TimesPooled(inputs));
        Assert.Contains($"recserve_requests_total{{model=\"nope\",version=\"\",api=\"{Api}\",status=\"NOT_FOUND\"}} 1", await ScrapeAsync());
    }

    [Fact]
    public async Task ARequestRefusedBeforeItNamesAModelIsNotCountedButReturnsTheInputs()
    {
        var steps = new Steps();
        var inputs = _pipeline.InputBuffers.Rent();

        await Assert.ThrowsAsync<ServingException>(() =>
            PredictionRun.RunAsync<TestExchange, long>(_pipeline, Api, new TestExchange("", steps), inputs).AsTask());

        Assert.Equal("target dispose", steps.ToString());
        Assert.Equal(1, TimesPooled(inputs));
        Assert.DoesNotContain($"api=\"{Api}\"", await ScrapeAsync());
    }

    [Fact]
    public async Task InputsOfARequestCancelledWhileAModelCouldHoldThemAreNotPooled()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var inputs = _pipeline.InputBuffers.Rent();

        // Whether the model call notices the cancellation or not, a batch could still read the inputs.
        try
        {
            await PredictionRun.RunAsync<TestExchange, long>(_pipeline, Api, new TestExchange("mlp", new Steps(), cancelled.Token), inputs);
        }
        catch (OperationCanceledException)
        {
        }

        Assert.Equal(0, TimesPooled(inputs));
    }

    [Fact]
    public async Task InputsOfARequestThatFailsToDecodeArePooledEvenIfItWasCancelled()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var steps = new Steps();
        var inputs = _pipeline.InputBuffers.Rent();

        var error = await Assert.ThrowsAsync<ServingException>(() => PredictionRun.RunAsync<TestExchange, long>(
            _pipeline, Api, new TestExchange("mlp", steps, cancelled.Token, failDecode: true), inputs).AsTask());

        Assert.Equal(ServingErrorCode.InvalidArgument, error.Code);
        Assert.Equal("target receive deadline decode dispose", steps.ToString());
        Assert.Equal(1, TimesPooled(inputs));
        Assert.Contains($"recserve_requests_total{{model=\"mlp\",version=\"2\",api=\"{Api}\",status=\"INVALID_ARGUMENT\"}} 1", await ScrapeAsync());
    }

    // How many times the pool holds `inputs` (drained to find out): once after a proper return, twice after a double one.
    private int TimesPooled(InputTensorBuffers inputs)
    {
        var found = 0;
        for (var i = 0; i < PipelineInputSlots; i++)
        {
            if (ReferenceEquals(_pipeline.InputBuffers.Rent(), inputs))
            {
                found++;
            }
        }
        return found;
    }

    // As many slots as PredictionPipeline.InputBuffers has.
    private static int PipelineInputSlots => 2 * Core.Lifetime.ScratchPool<InputTensorBuffers>.DefaultSlots;

    private async Task<string> ScrapeAsync()
    {
        using var stream = new MemoryStream();
        await _metrics.Registry.CollectAndExportAsTextAsync(stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    // The order the runner called an exchange's members in.
    private sealed class Steps
    {
        private readonly List<string> _names = [];

        public void Add(string name) => _names.Add(name);

        public override string ToString() => string.Join(' ', _names);
    }

    // Two rows of x; refuses an empty model name as KServe does; answers with y's row count.
    private readonly struct TestExchange(string model, Steps steps, CancellationToken deadline = default, bool failDecode = false)
        : IPredictionExchange<long>
    {
        public PredictionTarget Target()
        {
            steps.Add("target");
            return model.Length > 0 ? new PredictionTarget(model, null, null) : throw ServingException.InvalidArgument("model name is required");
        }

        public Task ReceiveAsync()
        {
            steps.Add("receive");
            return Task.CompletedTask;
        }

        public CancellationToken StartDeadline()
        {
            steps.Add("deadline");
            return deadline;
        }

        public PredictionRequest Decode(PredictionTarget target, ServableHandle handle, InputTensorBuffers inputs)
        {
            steps.Add("decode");
            inputs.Take("x", TensorDataType.Float32, [2, 8], clear: true);
            return failDecode
                ? throw ServingException.InvalidArgument("undecodable")
                : new PredictionRequest(target.ModelName, target.Version, target.VersionLabel, null, inputs.Inputs, []);
        }

        public long Encode(PredictionPipeline.Result result)
        {
            steps.Add("encode");
            return result.Outputs.Items[0].Tensor.Shape[0];
        }

        public void Dispose() => steps.Add("dispose");
    }
}
