using System.Text.RegularExpressions;

namespace RecServe.Cli.Tests.Docs;

/// <summary>docs/MIGRATING.md lists every tensorflow_model_server flag, and what it says matches what <c>recserve serve</c> accepts.</summary>
public sealed partial class MigratingGuideTests
{
    /// <summary>The flags of TF-Serving 2.x's tensorflow_serving/model_servers/main.cc, in its order.</summary>
    private static readonly string[] TfServingFlags =
    [
        "port", "grpc_socket_path", "rest_api_port", "rest_api_num_threads", "rest_api_timeout_in_ms", "rest_api_enable_cors_support",
        "enable_batching", "allow_version_labels_for_unavailable_models", "batching_parameters_file", "enable_per_model_batching_parameters",
        "model_config_file", "model_config_file_poll_wait_seconds", "model_name", "model_base_path", "num_load_threads",
        "num_unload_threads", "max_num_load_retries", "load_retry_interval_micros", "file_system_poll_wait_seconds",
        "flush_filesystem_caches", "tensorflow_session_parallelism", "tensorflow_session_config_file", "tensorflow_intra_op_parallelism",
        "tensorflow_inter_op_parallelism", "use_alts_credentials", "ssl_config_file", "platform_config_file", "per_process_gpu_memory_fraction",
        "saved_model_tags", "grpc_channel_arguments", "grpc_max_threads", "enable_model_warmup", "num_request_iterations_for_warmup",
        "version", "monitoring_config_file", "remove_unused_fields_from_bundle_metagraph", "prefer_tflite_model", "num_tflite_pools",
        "num_tflite_interpreters_per_pool", "enable_signature_method_name_check", "xla_cpu_compilation_enabled", "xla_gpu_compilation_enabled",
        "enable_profiler", "thread_pool_factory_config_file", "mixed_precision", "skip_initialize_tpu", "enable_grpc_healthcheck_service",
        "enable_serialization_as_tensor_content",
    ];

    private static readonly Dictionary<string, string> Rows = ReadFlagRows();

    [Fact]
    public void EveryTfServingFlagHasARow()
    {
        var missing = TfServingFlags.Where(flag => !Rows.ContainsKey(flag)).ToList();

        Assert.True(missing.Count == 0, "docs/MIGRATING.md has no row for --" + string.Join(", --", missing));
    }

    [Fact]
    public void SameFlagsAreAcceptedAndUnsupportedOnesRejected()
    {
        var serve = RecServeCli.CreateRoot().Subcommands.Single(c => c.Name == "serve");
        var serveFlags = serve.Options.Select(o => o.Name).ToHashSet();
        foreach (var (flag, status) in Rows)
        {
            if (flag == "version")
            {
                continue; // the root command's --version
            }
            switch (status)
            {
                case "same":
                    Assert.True(serveFlags.Contains("--" + flag), $"--{flag} is marked same but 'recserve serve' has no such flag");
                    break;
                case "unsupported":
                    Assert.False(serveFlags.Contains("--" + flag), $"--{flag} is marked unsupported but 'recserve serve' accepts it");
                    break;
                case "differs":
                    break;
                default:
                    Assert.Fail($"--{flag}: unknown status '{status}'");
                    break;
            }
        }
    }

    [Fact]
    public void RecServeAnswersVersion()
    {
        var (code, stdout, _) = RecserveProcess.Run("--version");

        Assert.Equal(0, code);
        Assert.Matches(@"^\d+\.\d+", stdout);
    }

    /// <summary>Flag → status of each row of the flags table (a row may name several flags).</summary>
    private static Dictionary<string, string> ReadFlagRows()
    {
        var text = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "MIGRATING.md"));
        var rows = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match row in FlagRow().Matches(text))
        {
            foreach (Match flag in FlagName().Matches(row.Groups[1].Value))
            {
                rows[flag.Groups[1].Value] = row.Groups[2].Value;
            }
        }
        return rows;
    }

    [GeneratedRegex(@"(?m)^\| ((?:`--[a-z0-9_]+`(?:, )?)+) \| (\w+) \|")]
    private static partial Regex FlagRow();

    [GeneratedRegex(@"`--([a-z0-9_]+)`")]
    private static partial Regex FlagName();
}
