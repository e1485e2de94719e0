using RecServe.Cli;

return await RecServeCli.RunAsync(args);
