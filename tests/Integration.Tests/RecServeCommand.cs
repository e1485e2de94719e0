using System.Diagnostics;

namespace Integration.Tests;

/// <summary>Starts <c>recserve &lt;command&gt; args...</c> (the binary the tests start servers from) with its output captured.</summary>
internal static class RecServeCommand
{
    public static Process Start(string command, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(ServerProcess.BinaryPath);
        info.ArgumentList.Add(command);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        return Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
    }
}
