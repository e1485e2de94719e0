using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;
using RecServe.Lifecycle;
using RecServe.Lifecycle.Config;
using RecServe.Runtime.Batching;
using RecServe.Runtime.Onnx;
using RecServe.Server.Admin;
using RecServe.Server.Dashboard;
using RecServe.Server.Grpc;
using RecServe.Server.Metrics;
using RecServe.Server.Rest;
using RecServe.Server.Serving;

namespace RecServe.Server.Hosting;

/// <summary>Builds and runs the RecServe web host: Kestrel with a gRPC port and a REST port.</summary>
public static class RecServeHost
{
    /// <summary>Builds the host for <paramref name="options"/>; call <c>RunAsync</c> on the result.</summary>
    public static WebApplication Build(ServerOptions options, string[]? args = null)
    {
        if (options.MaxBatchRows < 0 || options.MaxConcurrentRequestsPerModel < 0 || options.MaxStringTensorBytes < 0
            || options.MaxTensorElements < 1 || options.MaxJsonDepth < 1)
        {
            throw new ArgumentException(
                "--max_batch_rows, --max_concurrent_requests_per_model and --max_string_tensor_bytes must be 0 or more, --max_tensor_elements and --max_json_depth 1 or more");
        }
        if (options.SocketBlockKib is < 0 or (> 0 and < 4) or > 1024)
        {
            throw new ArgumentException("--socket_block_kib must be 0 (Kestrel's pool) or 4 to 1024");
        }
        var models = ResolveModels(options);
        var tls = TlsSetup.FromOptions(options);
        var builder = WebApplication.CreateSlimBuilder(args ?? []);
        ServerLogging.AddConsole(builder.Logging, options.LogFormat);
        // ASP.NET Core logs four lines per request at Information: on a busy server that is most of the CPU, and
        // request paths are not ours to log by default (docs/SECURITY.md). Lifetime messages stay.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownDrainTimeout);
        builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = options.InlineIoScheduling);
        if (options.SocketBlockKib > 0)
        {
            // A request is read in as few receives as its size allows (LargeBlockMemoryPool); 256 kept blocks
            // (16 MiB at 64 KiB) cover the requests of a few hundred busy connections in flight.
            builder.Services.RemoveAll<IMemoryPoolFactory<byte>>();
            builder.Services.AddSingleton<IMemoryPoolFactory<byte>>(new LargeBlockMemoryPoolFactory(options.SocketBlockKib * 1024, maxRetainedBlocks: 256));
        }
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Size limits are enforced per protocol (gRPC's message limit, the REST body reader), each with the
            // error its clients expect; Kestrel's own limit would reset gRPC streams with no status.
            kestrel.Limits.MaxRequestBodySize = null;
            var address = System.Net.IPAddress.Parse(options.BindAddress);
            kestrel.Listen(address, options.GrpcPort, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                tls?.Apply(listen);
            });
            if (options.RestPort > 0)
            {
                kestrel.Listen(address, options.RestPort, listen =>
                {
                    // HTTP/2 on the REST port needs TLS (ALPN); in plain text it would be HTTP/1.1 anyway.
                    listen.Protocols = tls is null ? HttpProtocols.Http1 : HttpProtocols.Http1AndHttp2;
                    tls?.Apply(listen);
                });
            }
            if (options.MonitoringPort > 0)
            {
                var monitoring = System.Net.IPAddress.Parse(options.MonitoringBindAddress ?? options.BindAddress);
                kestrel.Listen(monitoring, options.MonitoringPort, listen => listen.Protocols = HttpProtocols.Http1AndHttp2);
            }
        });

        builder.Services.AddSingleton(options);
        var device = OnnxDevices.Parse(options.Device);
        OnnxDevices.EnsureAvailable(device);
        var redis = RedisOverrides(options);
        builder.Services.AddSingleton(new OnnxModelOptions { IntraOpThreads = options.IntraOpThreads, InterOpThreads = options.InterOpThreads, AllowSpinning = options.AllowSpinning, Device = device });
        var metrics = new ServingMetrics();
        builder.Services.AddSingleton(metrics);
        var batching = ResolveBatching(options);
        var lifecycle = new LifecycleMetrics(metrics.Registry);
        builder.Services.AddSingleton(lifecycle);
        builder.Services.AddSingleton<IVersionLoader>(services => new ModelFolderLoader(
            services.GetRequiredService<OnnxModelOptions>(), batching, model => new BatchMetricsObserver(metrics, model), options.StateDirectory, redis));
        var deltaStreams = DeltaStreams(options);
        builder.Services.AddSingleton(services => new ModelManager(
            services.GetRequiredService<IVersionLoader>(), services.GetRequiredService<ILogger<ModelManager>>(),
            warmup: new Warmup.RecordedRequestWarmup(lifecycle), deltaObserver: lifecycle, deltaStreams: deltaStreams));
        var basePaths = models.ToDictionary(m => m.Name, m => m.BasePath, StringComparer.Ordinal);
        builder.Services.AddSingleton(new Warmup.WarmupRecorder(options.RecordWarmupRequests,
            name => basePaths.TryGetValue(name, out var basePath) ? StateDirectory.Root(options.StateDirectory, basePath) : null));
        builder.Services.AddSingleton<PredictionPipeline>();
        builder.Services.AddSingleton(new RecServe.Protocol.Json.PredictJsonRequestReader(options.MaxJsonDepth));
        builder.Services.AddSingleton(new RecServe.Protocol.KServe.InferJsonRequestReader(options.MaxJsonDepth));
        builder.Services.AddSingleton(new AdminAuthorizer(options.AdminToken));
        builder.Services.AddHostedService(services => new ModelPollingService(
            services.GetRequiredService<ModelManager>(), models, TimeSpan.FromSeconds(options.FileSystemPollWaitSeconds),
            options.ModelConfigFile, services.GetRequiredService<ILogger<ModelPollingService>>()));
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = options.MaxMessageBytes;
            grpc.MaxSendMessageSize = options.MaxMessageBytes;
            grpc.EnableDetailedErrors = false;
            grpc.Interceptors.Add<ServingErrorInterceptor>();
        });
        // Replaces grpc-dotnet's binder so that a malformed request message is INVALID_ARGUMENT, not UNKNOWN.
        builder.Services.RemoveAll(typeof(global::Grpc.AspNetCore.Server.Model.IServiceMethodProvider<>));
        builder.Services.AddSingleton(typeof(global::Grpc.AspNetCore.Server.Model.IServiceMethodProvider<>), typeof(MalformedMessageMethodProvider<>));
        builder.Services.AddSingleton(services => WireBindings.Predict(services.GetRequiredService<PredictionPipeline>(), options));
        builder.Services.AddSingleton(services => WireBindings.ModelInfer(services.GetRequiredService<PredictionPipeline>()));
        builder.Services.AddDashboard();
        builder.Services.AddGrpcHealthChecks().AddCheck<ModelsReadyHealthCheck>("models");

        var app = builder.Build();
        app.MapGrpcService<PredictionGrpcService>();
        app.MapGrpcService<ModelGrpcService>();
        app.MapGrpcService<KServe.InferenceGrpcService>();
        app.MapGrpcHealthChecksService();
        RestApi.Map(app);
        KServe.KServeRestApi.Map(app);
        var manager = app.Services.GetRequiredService<ModelManager>();
        var tables = new TableMetricsExporter(metrics, manager);
        metrics.Registry.AddBeforeCollectCallback(() =>
        {
            tables.Collect();
            foreach (var model in manager.ModelNames)
            {
                metrics.VersionsAvailable.WithLabels(model).Set(manager.GetStatus(model).Count(s => s.State == Lifecycle.Versions.ModelVersionState.Available));
            }
            lifecycle.CollectStreams(manager.GetDeltaStreams());
        });
        var prometheus = app.MapMetrics("/monitoring/prometheus/metrics", metrics.Registry);
        var plain = app.MapMetrics("/metrics", metrics.Registry);
        if (options.MonitoringPort > 0)
        {
            // Only the monitoring port answers; the client-facing ports 404 these paths.
            prometheus.RequireHost($"*:{options.MonitoringPort}");
            plain.RequireHost($"*:{options.MonitoringPort}");
        }
        app.MapDashboard(options.MonitoringPort);
        return app;
    }

    private static RecServe.Embeddings.Redis.RedisClusterOverrides RedisOverrides(ServerOptions options)
    {
        if (options.RedisTimeoutMs is <= 0)
        {
            throw new ArgumentException($"--redis_timeout_ms must be positive, not {options.RedisTimeoutMs}");
        }
        return new RecServe.Embeddings.Redis.RedisClusterOverrides(
            string.IsNullOrEmpty(options.RedisEndpoints) ? null : options.RedisEndpoints,
            string.IsNullOrEmpty(options.RedisPassword) ? null : options.RedisPassword,
            options.RedisTls,
            options.RedisTimeoutMs,
            options.RedisOnFailure is { } mode ? RecServe.Embeddings.Redis.RedisClusterOverrides.ParseFailureMode(mode) : null);
    }

    /// <summary>Opens each model's delta stream when <c>--delta_stream_redis</c> is given (a bad value fails start-up).</summary>
    private static Func<string, Embeddings.Deltas.Streaming.IDeltaStream?>? DeltaStreams(ServerOptions options)
    {
        if (string.IsNullOrEmpty(options.DeltaStreamRedis))
        {
            return null;
        }
        var settings = Embeddings.Redis.Streams.RedisDeltaStreamSettings.Parse(options.DeltaStreamRedis, options.DeltaStreamKeyPrefix);
        return model => new Embeddings.Redis.Streams.RedisDeltaStream(settings, settings.KeyFor(model));
    }

    private static BatchingOptions? ResolveBatching(ServerOptions options)
    {
        if (!options.EnableBatching)
        {
            return null;
        }
        return string.IsNullOrEmpty(options.BatchingParametersFile)
            ? new BatchingOptions()
            : BatchingParametersFile.Load(options.BatchingParametersFile);
    }

    private static IReadOnlyList<ModelConfig> ResolveModels(ServerOptions options)
    {
        if (!string.IsNullOrEmpty(options.ModelConfigFile))
        {
            if (!string.IsNullOrEmpty(options.ModelBasePath))
            {
                throw new ArgumentException("give either --model_config_file or --model_base_path, not both");
            }
            return ModelConfigFile.Load(options.ModelConfigFile);
        }
        if (string.IsNullOrEmpty(options.ModelBasePath))
        {
            throw new ArgumentException("give --model_base_path (with --model_name) or --model_config_file");
        }
        var basePath = Path.GetFullPath(options.ModelBasePath);
        if (!Directory.Exists(basePath))
        {
            throw new ArgumentException($"--model_base_path {basePath} does not exist");
        }
        var name = string.IsNullOrEmpty(options.ModelName) ? "default" : options.ModelName;
        return [ModelConfig.Latest(name, basePath)];
    }
}
