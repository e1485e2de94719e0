using System.CommandLine;
using Microsoft.Extensions.Hosting;
using RecServe.Server.Hosting;

namespace RecServe.Cli.Commands;

/// <summary><c>recserve serve</c>: runs the server with TF-Serving's flag names.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var defaults = new ServerOptions();
        var port = new Option<int>("--port") { Description = "gRPC port (TF-Serving: --port).", DefaultValueFactory = _ => defaults.GrpcPort };
        var restPort = new Option<int>("--rest_api_port") { Description = "REST port; 0 turns REST off.", DefaultValueFactory = _ => defaults.RestPort };
        var bind = new Option<string>("--bind_address") { Description = "Address both ports bind to.", DefaultValueFactory = _ => defaults.BindAddress };
        var modelName = new Option<string?>("--model_name") { Description = "Name of the model served from --model_base_path.", DefaultValueFactory = _ => "default" };
        var basePath = new Option<string?>("--model_base_path") { Description = "Folder whose numeric sub-folders (1/, 2/, ...) are the model's versions; the highest is served." };
        var configFile = new Option<string?>("--model_config_file") { Description = "JSON config listing several models (name, base_path, model_version_policy, version_labels)." };
        var poll = new Option<double>("--file_system_poll_wait_seconds") { Description = "Seconds between scans for new versions.", DefaultValueFactory = _ => defaults.FileSystemPollWaitSeconds };
        var maxMessage = new Option<int>("--max_message_bytes") { Description = "Largest gRPC message or REST body, in bytes.", DefaultValueFactory = _ => defaults.MaxMessageBytes };
        var intraOp = new Option<int>("--intra_op_threads") { Description = "ONNX Runtime threads per operator; 0 = one per CPU this process may use (affinity mask, container quota).", DefaultValueFactory = _ => 0 };
        var interOp = new Option<int>("--inter_op_threads") { Description = "ONNX Runtime threads across operators; 0 = automatic.", DefaultValueFactory = _ => 0 };

        var spinning = new Option<bool>("--allow_spinning") { Description = "Let ONNX Runtime's pool threads spin while idle (ONNX Runtime's default; off here, since spinning threads take the cores requests need)." };
        var inlineIo = new Option<bool>("--inline_io_scheduling")
        {
            Description = "Handle requests on the socket's I/O thread instead of handing each to the thread pool (Kestrel's " +
                "UnsafePreferInlineScheduling): fewer thread switches and more throughput on few cores, but a slow request " +
                "then holds up the other connections served by the same I/O thread.",
        };
        var socketBlock = new Option<int>("--socket_block_kib")
        {
            Description = "KiB per block that connections read into (one receive reads at most one block): a request of that " +
                "size arrives in one read and is parsed from one piece; 0 = Kestrel's own 4 KiB blocks.",
            DefaultValueFactory = _ => defaults.SocketBlockKib,
        };
        var schedBatch = new Option<bool>("--sched_batch")
        {
            Description = "Run the server's threads under Linux's SCHED_BATCH policy: a thread woken by the network does not " +
                "preempt the one computing a prediction, so a loaded core switches less and serves more; latency suffers " +
                "when the cores are shared with other programs.",
        };
        var batching = new Option<bool>("--enable_batching") { Description = "Merge concurrent requests into batches (dynamic batching)." };
        var batchingFile = new Option<string?>("--batching_parameters_file") { Description = "Batching knobs: TF-Serving's text format or JSON (max_batch_size, batch_timeout_micros, num_batch_threads, max_enqueued_batches, allowed_batch_sizes)." };

        var maxElements = new Option<long>("--max_tensor_elements") { Description = "Most elements one request tensor may hold.", DefaultValueFactory = _ => defaults.MaxTensorElements };
        var maxBatchRows = new Option<int>("--max_batch_rows") { Description = "Most rows one request may carry; 0 = no limit.", DefaultValueFactory = _ => 0 };
        var maxStringBytes = new Option<long>("--max_string_tensor_bytes") { Description = "Most bytes the string elements of one request tensor may hold together; 0 = no limit.", DefaultValueFactory = _ => defaults.MaxStringTensorBytes };
        var maxJsonDepth = new Option<int>("--max_json_depth") { Description = "Deepest JSON nesting a REST request body may use.", DefaultValueFactory = _ => defaults.MaxJsonDepth };
        var maxConcurrent = new Option<int>("--max_concurrent_requests_per_model") { Description = "Requests in flight per model before more get RESOURCE_EXHAUSTED / 429; 0 = no limit.", DefaultValueFactory = _ => 0 };
        var tlsCert = new Option<string?>("--tls_cert_file") { Description = "PEM certificate: serve gRPC and REST over TLS (with --tls_key_file)." };
        var tlsKey = new Option<string?>("--tls_key_file") { Description = "PEM private key of --tls_cert_file." };
        var tlsClientCa = new Option<string?>("--tls_client_ca_file") { Description = "PEM CA: require client certificates it issued (mutual TLS)." };
        var monitoringPort = new Option<int>("--monitoring_port") { Description = "Serve metrics on this port alone (plain HTTP) instead of the REST port; 0 = REST port.", DefaultValueFactory = _ => 0 };
        var monitoringBind = new Option<string?>("--monitoring_bind_address") { Description = "Address the monitoring port binds to (default: --bind_address)." };
        var stateDir = new Option<string?>("--state_dir") { Description = "Folder for per model state: delta overlays and recorded warm-up requests (default: .recserve-state beside each model's base path)." };
        var recordWarmup = new Option<int>("--record_warmup") { Description = "Record the next N live predict requests per model into <state_dir>/<model>/warmup/ (docs/WARMUP.md); 0 = off.", DefaultValueFactory = _ => 0 };
        var device = new Option<string>("--device") { Description = "Where dense graphs run: cpu, or cuda (ONNX Runtime's CUDA execution provider; the server refuses to start where it cannot be used).", DefaultValueFactory = _ => defaults.Device };
        device.AcceptOnlyFromAmong("cpu", "cuda");
        var redisEndpoints = new Option<string?>("--redis_endpoints") { Description = "Redis Cluster seed nodes (host:port,...) for every table with residency redis, over the bundle manifests'." };
        var redisPassword = new Option<string?>("--redis_password") { Description = "Redis AUTH password for the cluster tables, over the manifests' password_env; also RECSERVE_REDIS_PASSWORD." };
        var redisTls = new Option<bool?>("--redis_tls") { Description = "TLS to the Redis Cluster (true|false), over the manifests' setting." };
        var redisTimeout = new Option<int?>("--redis_timeout_ms") { Description = "Most milliseconds one batch lookup waits for the cluster, over the manifests' timeout_ms." };
        var redisOnFailure = new Option<string?>("--redis_on_failure") { Description = "degrade (default rows for ids of an unreachable shard, counted) or fail (UNAVAILABLE / 503), over the manifests' on_failure." };
        redisOnFailure.AcceptOnlyFromAmong("degrade", "fail");
        var deltaStreamRedis = new Option<string?>("--delta_stream_redis") { Description = "Redis holding the models' delta streams, host:port[,password=...] (or the password in RECSERVE_DELTA_STREAM_PASSWORD): every served bundle version applies what `recserve delta publish` writes to recserve:deltas:<model> (docs/DELTA.md)." };
        var deltaStreamPrefix = new Option<string>("--delta_stream_key_prefix") { Description = "Prefix of the delta stream keys: model m reads <prefix>m.", DefaultValueFactory = _ => defaults.DeltaStreamKeyPrefix };
        var adminToken = new Option<string?>("--admin_token") { Description = "Bearer token enabling admin calls (ModelService.HandleReloadConfigRequest); also RECSERVE_ADMIN_TOKEN. Off when unset." };
        var logFormat = new Option<string>("--log_format") { Description = "Log lines on stdout: json (one JSON object per line), text, or auto: json when stdout is not a terminal (containers, log files), text on a terminal.", DefaultValueFactory = _ => ServeLogFormat.Auto };
        logFormat.AcceptOnlyFromAmong(ServeLogFormat.Auto, ServeLogFormat.Json, ServeLogFormat.Text);
        var config = new Option<string?>(Configuration.ServeConfigSources.ConfigOptionName) { Description = "Settings file whose \"RecServe\" section sets any of these flags (default: appsettings.json in the working directory; also RECSERVE_CONFIG). Every flag is also read from RECSERVE_<FLAG> (e.g. RECSERVE_REST_API_PORT); the command line wins, then the environment, then the file." };

        foreach (var portOption in (Option<int>[])[port, restPort, monitoringPort])
        {
            portOption.Validators.Add(result =>
            {
                // Tokens, not the converted value: a value that is no number at all is reported by the parser itself.
                if (result.Tokens is [var token] && int.TryParse(token.Value, out var value) && value is < 0 or > 65535)
                {
                    result.AddError($"{portOption.Name} must be between 0 and 65535, not {value}");
                }
            });
        }

        var command = new Command("serve",
            "Serve models over TF-Serving's gRPC (default 8500) and REST (default 8501) APIs.\n\n" +
            "Examples:\n" +
            "  recserve serve --model_name dlrm --model_base_path examples/models/dlrm\n" +
            "  recserve serve --model_config_file models.json --file_system_poll_wait_seconds 5\n" +
            "  RECSERVE_MODEL_BASE_PATH=/models/dlrm RECSERVE_MODEL_NAME=dlrm recserve serve\n" +
            "  recserve serve --config /etc/recserve/appsettings.json   # {\"RecServe\": {\"rest_api_port\": 9501}}")
        {
            port, restPort, bind, modelName, basePath, configFile, poll, maxMessage, intraOp, interOp, spinning, inlineIo, socketBlock, schedBatch, batching, batchingFile, maxElements, maxBatchRows, maxStringBytes, maxJsonDepth, maxConcurrent, tlsCert, tlsKey, tlsClientCa, monitoringPort, monitoringBind, adminToken, stateDir, recordWarmup, config, logFormat,
            device, redisEndpoints, redisPassword, redisTls, redisTimeout, redisOnFailure,
            deltaStreamRedis, deltaStreamPrefix,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = new ServerOptions
            {
                GrpcPort = parse.GetValue(port),
                RestPort = parse.GetValue(restPort),
                BindAddress = parse.GetValue(bind)!,
                ModelName = parse.GetValue(modelName),
                ModelBasePath = parse.GetValue(basePath),
                ModelConfigFile = parse.GetValue(configFile),
                FileSystemPollWaitSeconds = parse.GetValue(poll),
                MaxMessageBytes = parse.GetValue(maxMessage),
                IntraOpThreads = parse.GetValue(intraOp),
                InterOpThreads = parse.GetValue(interOp),
                AllowSpinning = parse.GetValue(spinning),
                InlineIoScheduling = parse.GetValue(inlineIo),
                SocketBlockKib = parse.GetValue(socketBlock),
                SchedBatch = parse.GetValue(schedBatch),
                EnableBatching = parse.GetValue(batching) || !string.IsNullOrEmpty(parse.GetValue(batchingFile)),
                BatchingParametersFile = parse.GetValue(batchingFile),
                MaxTensorElements = parse.GetValue(maxElements),
                MaxBatchRows = parse.GetValue(maxBatchRows),
                MaxStringTensorBytes = parse.GetValue(maxStringBytes),
                MaxJsonDepth = parse.GetValue(maxJsonDepth),
                MaxConcurrentRequestsPerModel = parse.GetValue(maxConcurrent),
                MonitoringPort = parse.GetValue(monitoringPort),
                MonitoringBindAddress = parse.GetValue(monitoringBind),
                TlsCertFile = parse.GetValue(tlsCert),
                TlsKeyFile = parse.GetValue(tlsKey),
                TlsClientCaFile = parse.GetValue(tlsClientCa),
                StateDirectory = parse.GetValue(stateDir),
                RecordWarmupRequests = parse.GetValue(recordWarmup),
                DeltaStreamRedis = parse.GetValue(deltaStreamRedis),
                DeltaStreamKeyPrefix = parse.GetValue(deltaStreamPrefix)!,
                AdminToken = parse.GetValue(adminToken) ?? Environment.GetEnvironmentVariable("RECSERVE_ADMIN_TOKEN"),
                LogFormat = ServeLogFormat.Resolve(parse.GetValue(logFormat)!, Console.IsOutputRedirected),
                Device = parse.GetValue(device)!,
                RedisEndpoints = parse.GetValue(redisEndpoints),
                RedisPassword = parse.GetValue(redisPassword) ?? Environment.GetEnvironmentVariable("RECSERVE_REDIS_PASSWORD"),
                RedisTls = parse.GetValue(redisTls),
                RedisTimeoutMs = parse.GetValue(redisTimeout),
                RedisOnFailure = parse.GetValue(redisOnFailure),
            };
            try
            {
                if (options.SchedBatch)
                {
                    // Before the host and the models start their threads, so that those inherit the policy.
                    BatchSchedulingPolicy.ApplyToProcess();
                }
                var app = RecServeHost.Build(options);
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
                ServerLogging.ReportReady(app, options);
                await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or FormatException or IOException or PlatformNotSupportedException)
            {
                Console.Error.WriteLine($"recserve serve: {e.Message}");
                return 2;
            }
        });
        return command;
    }
}
