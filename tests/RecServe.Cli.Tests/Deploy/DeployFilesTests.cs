using System.Text.RegularExpressions;
using RecServe.Cli.Configuration;
using RecServe.Server.Hosting;

namespace RecServe.Cli.Tests.Deploy;

/// <summary>
/// deploy/Dockerfile and deploy/k8s/recserve.yaml cannot be built or applied here (no container engine); what can be
/// checked is that they agree with the server: default ports, probe paths, the model they serve, and that every
/// RECSERVE_* variable they set is a serve flag's.
/// </summary>
public sealed partial class DeployFilesTests
{
    private static readonly string Dockerfile = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "deploy", "Dockerfile"));
    private static readonly string Manifest = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "deploy", "k8s", "recserve.yaml"));

    [Fact]
    public void BothSayTheyAreNotTestedHere()
    {
        Assert.Contains("NOT TESTED HERE: there is no container engine", Dockerfile, StringComparison.Ordinal);
        Assert.Contains("NOT TESTED HERE: there is no container engine", Manifest, StringComparison.Ordinal);
    }

    [Fact]
    public void PortsAreTheServerDefaults()
    {
        var defaults = new ServerOptions();
        Assert.Contains($"EXPOSE {defaults.GrpcPort} {defaults.RestPort}", Dockerfile, StringComparison.Ordinal);
        Assert.Equal([defaults.GrpcPort, defaults.RestPort], ContainerPort().Matches(Manifest).Select(m => int.Parse(m.Groups[1].Value)));
        Assert.Equal([defaults.GrpcPort, defaults.RestPort], ServicePort().Matches(Manifest).Select(m => int.Parse(m.Groups[1].Value)));
    }

    [Fact]
    public void EveryVariableIsAServeFlag()
    {
        var serve = RecServeCli.CreateRoot().Subcommands.Single(c => c.Name == "serve");
        var known = serve.Options.Select(ServeConfigSources.VariableName).ToHashSet();
        var used = DockerVariable().Matches(Dockerfile).Concat(ManifestVariable().Matches(Manifest)).Select(m => m.Groups[1].Value).ToList();

        Assert.Contains("RECSERVE_MODEL_BASE_PATH", used);
        Assert.All(used, name => Assert.Contains(name, known));
    }

    [Fact]
    public void TheImageServesTheExampleModelTheManifestProbes()
    {
        Assert.Contains("COPY examples/models/dlrm /models/dlrm", Dockerfile, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(RepositoryPaths.Root, "examples", "models", "dlrm", "1", "model.onnx")));
        Assert.Contains("RECSERVE_MODEL_NAME=dlrm", Dockerfile, StringComparison.Ordinal);
        Assert.Contains("RECSERVE_MODEL_BASE_PATH=/models/dlrm", Dockerfile, StringComparison.Ordinal);
        Assert.Contains("{ name: RECSERVE_MODEL_NAME, value: dlrm }", Manifest, StringComparison.Ordinal);
        Assert.Contains("{ name: RECSERVE_MODEL_BASE_PATH, value: /models/dlrm }", Manifest, StringComparison.Ordinal);
    }

    [Fact]
    public void ProbesUsePathsTheServerAnswers()
    {
        var rest = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "src", "RecServe.Server", "Rest", "RestApi.cs"));
        Assert.Contains("readinessProbe:\n            httpGet: { path: /v1/models/dlrm, port: rest }", Manifest, StringComparison.Ordinal);
        Assert.Contains("startupProbe:\n            httpGet: { path: /readyz, port: rest }", Manifest, StringComparison.Ordinal);
        Assert.Contains("livenessProbe:\n            httpGet: { path: /healthz, port: rest }", Manifest, StringComparison.Ordinal);
        Assert.Contains("\"/readyz\"", rest, StringComparison.Ordinal);
        Assert.Contains("\"/healthz\"", rest, StringComparison.Ordinal);
    }

    [Fact]
    public void NothingRunsAsRootAndServiceLinksCannotSetThePort()
    {
        Assert.Contains("USER $APP_UID", Dockerfile, StringComparison.Ordinal);
        Assert.Contains("runAsNonRoot: true", Manifest, StringComparison.Ordinal);
        // A Service named recserve would otherwise inject RECSERVE_PORT=tcp://..., read as --port.
        Assert.Contains("enableServiceLinks: false", Manifest, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"containerPort: (\d+)")]
    private static partial Regex ContainerPort();

    [GeneratedRegex(@"\{ name: \w+, port: (\d+),")]
    private static partial Regex ServicePort();

    [GeneratedRegex(@"\b(RECSERVE_[A-Z_]+)=")]
    private static partial Regex DockerVariable();

    [GeneratedRegex(@"name: (RECSERVE_[A-Z_]+)")]
    private static partial Regex ManifestVariable();
}
