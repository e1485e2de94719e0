namespace RecServe.Server.Hosting;

/// <summary>Everything <c>recserve serve</c> can be told; defaults follow TensorFlow Serving.</summary>
public sealed record ServerOptions
{
    /// <summary>gRPC port (TF-Serving's <c>--port</c>); 8500 by default.</summary>
    public int GrpcPort { get; init; } = 8500;

    /// <summary>REST port (<c>--rest_api_port</c>); 8501 by default; 0 turns REST off, as in TF-Serving.</summary>
    public int RestPort { get; init; } = 8501;

    /// <summary>Address both ports bind to; every interface by default.</summary>
    public string BindAddress { get; init; } = "0.0.0.0";

    /// <summary>Name of the single model served with <see cref="ModelBasePath"/>.</summary>
    public string? ModelName { get; init; }

    /// <summary>Folder holding the single model's numeric version folders.</summary>
    public string? ModelBasePath { get; init; }

    /// <summary>JSON model config file for several models (instead of name and base path).</summary>
    public string? ModelConfigFile { get; init; }

    /// <summary>Seconds between scans of the model folders for new versions.</summary>
    public double FileSystemPollWaitSeconds { get; init; } = 1;

    /// <summary>Largest request or response message, in bytes, for gRPC and REST.</summary>
    public int MaxMessageBytes { get; init; } = 64 * 1024 * 1024;

    /// <summary>Most elements one request tensor may hold (typed fields can ask for more than they carry).</summary>
    public long MaxTensorElements { get; init; } = RecServe.Protocol.TensorProto.TensorProtoDecoder.DefaultMaxElements;

    /// <summary>Most rows (batch dimension) one request may carry; 0 for no limit.</summary>
    public int MaxBatchRows { get; init; }

    /// <summary>
    /// Most bytes the string elements of one request tensor may hold together (DT_STRING / BYTES); 0 for no limit.
    /// The message size limit bounds the whole request; this one bounds what a single text input may make a model chew.
    /// </summary>
    public long MaxStringTensorBytes { get; init; } = DefaultMaxStringTensorBytes;

    /// <summary>Default of <see cref="MaxStringTensorBytes"/>: 16 MiB.</summary>
    public const long DefaultMaxStringTensorBytes = 16L * 1024 * 1024;

    /// <summary>Deepest JSON nesting a REST request body may use (TF-Serving and KServe v2 JSON alike).</summary>
    public int MaxJsonDepth { get; init; } = RecServe.Protocol.Json.PredictJsonRequestReader.DefaultMaxDepth;

    /// <summary>Requests one model may have in flight before more are refused with RESOURCE_EXHAUSTED; 0 for no limit.</summary>
    public int MaxConcurrentRequestsPerModel { get; init; }

    /// <summary>ONNX Runtime threads inside one operator; 0 means one per CPU this process may use.</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>ONNX Runtime threads across operators; 0 lets ONNX Runtime decide.</summary>
    public int InterOpThreads { get; init; }

    /// <summary>Let ONNX Runtime's pool threads spin while idle.</summary>
    public bool AllowSpinning { get; init; }

    /// <summary>
    /// Run request handling on Kestrel's socket I/O threads rather than the thread pool (Kestrel's
    /// UnsafePreferInlineScheduling): one thread switch fewer per read, at the price of a slow request delaying the
    /// other connections of its I/O thread.
    /// </summary>
    public bool InlineIoScheduling { get; init; }

    /// <summary>
    /// Run every thread under Linux's SCHED_BATCH policy (<see cref="BatchSchedulingPolicy"/>): woken threads do not
    /// preempt the one computing, fewer switches per request; applied by <c>recserve serve</c> to its own process.
    /// </summary>
    public bool SchedBatch { get; init; }

    /// <summary>
    /// Size in KiB of the blocks Kestrel's connections read into and write from (<see cref="LargeBlockMemoryPool"/>);
    /// 0 keeps Kestrel's own pool of 4 KiB blocks.
    /// </summary>
    public int SocketBlockKib { get; init; } = 64;

    /// <summary>Whether requests are merged into batches (TF-Serving's <c>--enable_batching</c>).</summary>
    public bool EnableBatching { get; init; }

    /// <summary>Batching knobs file, TF-Serving text format or JSON; defaults apply without one.</summary>
    public string? BatchingParametersFile { get; init; }

    /// <summary>Bearer token that enables admin operations (config reload); null leaves them off.</summary>
    public string? AdminToken { get; init; }

    /// <summary>
    /// Port for metrics (and the dashboard) alone, plain HTTP; 0 (default) serves them on the REST port. A separate
    /// port lets operators keep them off the network clients reach.
    /// </summary>
    public int MonitoringPort { get; init; }

    /// <summary>Address the monitoring port binds to; <see cref="BindAddress"/> when null.</summary>
    public string? MonitoringBindAddress { get; init; }

    /// <summary>PEM certificate (chain) that turns on TLS for both ports; needs <see cref="TlsKeyFile"/>.</summary>
    public string? TlsCertFile { get; init; }

    /// <summary>PEM private key of <see cref="TlsCertFile"/>.</summary>
    public string? TlsKeyFile { get; init; }

    /// <summary>PEM CA certificate(s); when set, clients must present a certificate it issued (mutual TLS).</summary>
    public string? TlsClientCaFile { get; init; }

    /// <summary>
    /// Where the server writes per model state: delta overlays (<c>&lt;dir&gt;/&lt;model&gt;/&lt;version&gt;/overlay</c>) and
    /// recorded warm-up requests (<c>&lt;dir&gt;/&lt;model&gt;/warmup</c>). Null: <c>.recserve-state</c> beside each model's base path.
    /// </summary>
    public string? StateDirectory { get; init; }

    /// <summary>Live predict requests to record per model as warm-up requests (docs/WARMUP.md); 0 records none.</summary>
    public int RecordWarmupRequests { get; init; }

    /// <summary>Where dense graphs run: "cpu" (default) or "cuda" (ONNX Runtime's CUDA execution provider; startup fails when unusable).</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>Redis Cluster seed nodes ("host:port,...") for every cluster table, over the bundle manifests'; null keeps theirs.</summary>
    public string? RedisEndpoints { get; init; }

    /// <summary>Redis AUTH password for every cluster table, over the manifests' password_env; null keeps theirs.</summary>
    public string? RedisPassword { get; init; }

    /// <summary>TLS to the Redis Cluster for every cluster table; null keeps the manifests' setting.</summary>
    public bool? RedisTls { get; init; }

    /// <summary>Most milliseconds one batch lookup waits for the cluster; null keeps the manifests' timeout_ms.</summary>
    public int? RedisTimeoutMs { get; init; }

    /// <summary>"degrade" or "fail" for every cluster table; null keeps the manifests' on_failure.</summary>
    public string? RedisOnFailure { get; init; }

    /// <summary>
    /// Redis holding the models' delta streams, <c>host:port[,password=...]</c> (docs/DELTA.md, "Streaming"): every
    /// served bundle version consumes its model's stream. Null: no streams.
    /// </summary>
    public string? DeltaStreamRedis { get; init; }

    /// <summary>Prefix of the stream keys: model <c>m</c> reads <c>&lt;prefix&gt;m</c>.</summary>
    public string DeltaStreamKeyPrefix { get; init; } = RecServe.Embeddings.Redis.Streams.RedisDeltaStreamSettings.DefaultKeyPrefix;

    /// <summary>How long shutdown waits for in-flight requests.</summary>
    public TimeSpan ShutdownDrainTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How the console log is written: text lines, or JSON lines for log collectors.</summary>
    public LogFormat LogFormat { get; init; } = LogFormat.Text;
}
