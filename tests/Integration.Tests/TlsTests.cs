using Grpc.Net.Client;
using Tensorflow.Serving;
using Xunit;

namespace Integration.Tests;

public sealed class TlsTests : IDisposable
{
    private readonly TestCertificates _certificates = new();

    public void Dispose() => _certificates.Dispose();

    private string[] ServeArgs(bool mutual)
    {
        var args = new List<string>
        {
            "--model_name", "dlrm", "--model_base_path", RepoPaths.ExampleModel,
            "--tls_cert_file", _certificates.ServerCertFile, "--tls_key_file", _certificates.ServerKeyFile,
        };
        if (mutual)
        {
            args.AddRange(["--tls_client_ca_file", _certificates.CaFile]);
        }
        return [.. args];
    }

    private static async Task<ModelVersionStatus.Types.State> StatusOverGrpcAsync(int port, HttpClientHandler handler)
    {
        using var channel = GrpcChannel.ForAddress($"https://127.0.0.1:{port}", new GrpcChannelOptions { HttpHandler = handler });
        var client = new ModelService.ModelServiceClient(channel);
        var status = await client.GetModelStatusAsync(new GetModelStatusRequest { ModelSpec = new ModelSpec { Name = "dlrm" } });
        return status.ModelVersionStatus.Single().State;
    }

    [Fact]
    public async Task BothApisServeOverTlsAndRefusePlainText()
    {
        await using var server = await ServerProcess.StartAsync(ServeArgs(mutual: false));
        Assert.Contains("(TLS)", server.Output, StringComparison.Ordinal);

        using var https = new HttpClient(_certificates.Handler(withClientCertificate: false)) { BaseAddress = new Uri($"https://127.0.0.1:{server.RestPort}") };
        using var response = await https.GetAsync("/v1/models/dlrm");
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("AVAILABLE", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Assert.Equal(ModelVersionStatus.Types.State.Available, await StatusOverGrpcAsync(server.GrpcPort, _certificates.Handler(false)));

        // The server's plain-text clients must not get through a TLS port.
        await Assert.ThrowsAnyAsync<Exception>(() => server.Http.GetAsync("/v1/models/dlrm"));
    }

    [Fact]
    public async Task MutualTlsRefusesClientsWithoutACertificateFromTheCa()
    {
        await using var server = await ServerProcess.StartAsync(ServeArgs(mutual: true));

        using var anonymous = new HttpClient(_certificates.Handler(withClientCertificate: false)) { BaseAddress = new Uri($"https://127.0.0.1:{server.RestPort}") };
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => anonymous.GetAsync("/v1/models/dlrm"));

        using var known = new HttpClient(_certificates.Handler(withClientCertificate: true)) { BaseAddress = new Uri($"https://127.0.0.1:{server.RestPort}") };
        using var response = await known.GetAsync("/v1/models/dlrm");
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(ModelVersionStatus.Types.State.Available, await StatusOverGrpcAsync(server.GrpcPort, _certificates.Handler(true)));
    }

    [Fact]
    public async Task CertificateWithoutKeyFailsTheStartWithAClearMessage()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => ServerProcess.StartAsync(
            "--model_name", "dlrm", "--model_base_path", RepoPaths.ExampleModel, "--tls_cert_file", _certificates.ServerCertFile));
        Assert.Contains("--tls_key_file", error.ToString(), StringComparison.Ordinal);
    }
}
