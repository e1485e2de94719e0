using System.CommandLine;

namespace RecServe.Cli.Tests.Commands;

/// <summary>Every command of the tree, the root included, prints examples of itself in its help.</summary>
public sealed class HelpTests
{
    public static TheoryData<string> CommandPaths() => new(Paths());

    private static List<string> Paths()
    {
        var paths = new List<string>();
        void Walk(Command command, string path)
        {
            paths.Add(path);
            foreach (var sub in command.Subcommands)
            {
                Walk(sub, path.Length == 0 ? sub.Name : path + " " + sub.Name);
            }
        }
        Walk(RecServeCli.CreateRoot(), "");
        return paths;
    }

    [Fact]
    public void TheTreeHasEveryCommand()
    {
        Assert.Superset(new HashSet<string>(["", "serve", "bench", "bench update", "import", "demo-model", "fuzz", "delta", "delta make",
            "delta inspect", "delta apply", "table", "table push", "inspect"]), Paths().ToHashSet());
    }

    [Theory]
    [MemberData(nameof(CommandPaths))]
    public void HelpShowsExamplesOfTheCommand(string path)
    {
        using var output = new StringWriter();
        string[] args = [.. path.Split(' ', StringSplitOptions.RemoveEmptyEntries), "--help"];

        var code = RecServeCli.CreateRoot().Parse(args).Invoke(new InvocationConfiguration { Output = output });

        Assert.Equal(0, code);
        var help = output.ToString();
        var examples = help.IndexOf("Examples:", StringComparison.Ordinal);
        Assert.True(examples >= 0, $"'recserve {path} --help' has no Examples: section:\n{help}");
        var command = ("recserve " + path).TrimEnd();
        Assert.Contains("  " + command + " ", help[examples..], StringComparison.Ordinal);
    }
}
