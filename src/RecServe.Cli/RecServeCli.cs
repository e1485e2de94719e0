using System.CommandLine;
using System.CommandLine.Help;
using RecServe.Cli.Commands;
using RecServe.Cli.Configuration;

namespace RecServe.Cli;

/// <summary>
/// The <c>recserve</c> command tree and how it runs: serve flags completed from the environment and settings file,
/// and every user error reported as one line on stderr with a non-zero exit code, never a stack trace.
/// </summary>
internal static class RecServeCli
{
    /// <summary>Exit code of a command line, setting or unexpected error reported here (commands use 1 or 2 for their own).</summary>
    public const int UsageError = 1;

    /// <summary>Set to 1 to get the stack trace of an unexpected error as well as its one line.</summary>
    public const string StackTraceVariable = "RECSERVE_STACK_TRACE";

    /// <summary>The whole command tree.</summary>
    public static RootCommand CreateRoot()
    {
        var root = new RootCommand(
            "RecServe: a TensorFlow-Serving-compatible inference server for recommendation models.\n\n" +
            "Examples:\n" +
            "  recserve serve --model_name dlrm --model_base_path examples/models/dlrm\n" +
            "  recserve serve --model_config_file models.json --port 8500 --rest_api_port 8501\n" +
            "  RECSERVE_REST_API_PORT=9501 recserve serve --config /etc/recserve/appsettings.json\n" +
            "  recserve bench --api grpc --target 127.0.0.1:8500 --model dlrm --batch 256 --concurrency 4\n" +
            "  recserve import examples/models/dlrm/1/model.onnx --out /tmp/dlrm-bundle/1\n" +
            "  recserve demo-model --rows 1000000 --dim 32 --tables 8 --out models/demo/1\n" +
            "  recserve inspect examples/models/dlrm\n" +
            "  recserve fuzz --api rest --target 127.0.0.1:8501 --model dlrm --count 100000\n\n" +
            "Run 'recserve <command> --help' for every flag of a command.");
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(ImportCommand.Create());
        root.Subcommands.Add(DemoModelCommand.Create());
        root.Subcommands.Add(FuzzCommand.Create());
        root.Subcommands.Add(DeltaCommand.Create());
        root.Subcommands.Add(TableCommand.Create());
        root.Subcommands.Add(InspectCommand.Create());
        return root;
    }

    /// <summary>Runs <paramref name="args"/> against the process's environment and working directory.</summary>
    public static Task<int> RunAsync(string[] args) =>
        RunAsync(CreateRoot(), args, Environment.GetEnvironmentVariable, Directory.GetCurrentDirectory(), Console.Error);

    /// <summary>Runs <paramref name="args"/>; errors go to <paramref name="error"/> as one line each.</summary>
    public static async Task<int> RunAsync(RootCommand root, string[] args, Func<string, string?> environment, string workingDirectory, TextWriter error)
    {
        var name = "recserve";
        try
        {
            var parsed = root.Parse(args);
            name = CommandPath(parsed.CommandResult.Command);
            if (parsed.Errors.Count > 0)
            {
                return Fail(error, name, Describe(parsed) + $" (see '{name} --help')");
            }
            if (parsed.CommandResult.Command.Name == "serve" && parsed.Action is not HelpAction)
            {
                parsed = root.Parse(ServeConfigSources.Apply(parsed.CommandResult.Command, parsed, args, environment, workingDirectory));
                if (parsed.Errors.Count > 0)
                {
                    return Fail(error, name, Describe(parsed));
                }
            }
            return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }).ConfigureAwait(false);
        }
        catch (ConfigSourceException e)
        {
            return Fail(error, name, e.Message);
        }
        catch (OperationCanceledException)
        {
            return Fail(error, name, "cancelled");
        }
        catch (Exception e)
        {
            // Commands turn the errors they expect into their own line; what reaches here is unexpected, but an
            // operator still gets one line, and the stack trace on request.
            Fail(error, name, e is IOException or UnauthorizedAccessException or ArgumentException or FormatException
                ? e.Message
                : $"{e.GetType().Name}: {e.Message} (set {StackTraceVariable}=1 for the stack trace)");
            if (environment(StackTraceVariable) == "1")
            {
                error.WriteLine(e);
            }
            return UsageError;
        }
    }

    private static string Describe(ParseResult parsed) =>
        string.Join("; ", parsed.Errors.Select(e => e.Message.TrimEnd('.')).Distinct(StringComparer.Ordinal));

    private static int Fail(TextWriter error, string name, string message)
    {
        error.WriteLine($"{name}: {message.ReplaceLineEndings(" ")}");
        return UsageError;
    }

    private static string CommandPath(Command command)
    {
        var names = new List<string>();
        for (Symbol? symbol = command; symbol is Command current; symbol = current.Parents.FirstOrDefault())
        {
            names.Add(current is RootCommand ? "recserve" : current.Name);
        }
        names.Reverse();
        return string.Join(' ', names);
    }
}
