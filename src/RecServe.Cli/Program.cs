using System.CommandLine;
using RecServe.Cli.Commands;

var root = new RootCommand(
    "RecServe: a TensorFlow-Serving-compatible inference server for recommendation models.\n\n" +
    "Examples:\n" +
    "  recserve serve --model_name dlrm --model_base_path examples/models/dlrm\n" +
    "  recserve serve --model_config_file models.json --port 8500 --rest_api_port 8501\n" +
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
return await root.Parse(args).InvokeAsync();
