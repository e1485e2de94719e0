using System.Diagnostics;

namespace RecServe.Cli.Tests;

/// <summary>Runs the built <c>recserve</c> binary as a child process and returns its exit code, stdout and stderr.</summary>
internal static class RecserveProcess
{
    public static string Binary => Path.Combine(AppContext.BaseDirectory, "recserve.dll");

    public static (int Code, string Stdout, string Stderr) Run(params string[] args) => Run(args, TimeSpan.FromSeconds(120));

    public static (int Code, string Stdout, string Stderr) Run(IEnumerable<string> args, TimeSpan timeout)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Binary);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException($"recserve {string.Join(' ', args)} ran past {timeout.TotalSeconds} s:\n{stdout.Result}{stderr.Result}");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
