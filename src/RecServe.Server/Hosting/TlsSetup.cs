using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace RecServe.Server.Hosting;

/// <summary>
/// TLS for Kestrel's listeners from PEM files: a server certificate and key, and optionally a CA whose
/// certificates clients must present (mutual TLS). Files are read once at start-up, so a bad path or key fails
/// the start with a clear message rather than the first handshake.
/// </summary>
public sealed class TlsSetup
{
    private readonly X509Certificate2 _serverCertificate;
    private readonly X509Certificate2Collection? _clientCas;

    private TlsSetup(X509Certificate2 serverCertificate, X509Certificate2Collection? clientCas)
    {
        _serverCertificate = serverCertificate;
        _clientCas = clientCas;
    }

    /// <summary>The TLS set-up <paramref name="options"/> asks for, or null for plain text.</summary>
    /// <exception cref="ArgumentException">Only one of certificate and key was given, or a file cannot be used.</exception>
    public static TlsSetup? FromOptions(ServerOptions options)
    {
        var hasCert = !string.IsNullOrEmpty(options.TlsCertFile);
        var hasKey = !string.IsNullOrEmpty(options.TlsKeyFile);
        if (!hasCert && !hasKey)
        {
            if (!string.IsNullOrEmpty(options.TlsClientCaFile))
            {
                throw new ArgumentException("--tls_client_ca_file needs --tls_cert_file and --tls_key_file");
            }
            return null;
        }
        if (hasCert != hasKey)
        {
            throw new ArgumentException("TLS needs both --tls_cert_file and --tls_key_file");
        }
        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPemFile(options.TlsCertFile!, options.TlsKeyFile!);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            throw new ArgumentException($"cannot use TLS certificate {options.TlsCertFile} with key {options.TlsKeyFile}: {e.Message}", e);
        }
        X509Certificate2Collection? cas = null;
        if (!string.IsNullOrEmpty(options.TlsClientCaFile))
        {
            cas = [];
            try
            {
                cas.ImportFromPemFile(options.TlsClientCaFile);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
            {
                throw new ArgumentException($"cannot read client CA file {options.TlsClientCaFile}: {e.Message}", e);
            }
            if (cas.Count == 0)
            {
                throw new ArgumentException($"client CA file {options.TlsClientCaFile} holds no certificate");
            }
        }
        return new TlsSetup(certificate, cas);
    }

    /// <summary>Whether clients must present a certificate.</summary>
    public bool RequiresClientCertificate => _clientCas is not null;

    /// <summary>Turns on TLS for one listener.</summary>
    public void Apply(ListenOptions listen)
    {
        listen.UseHttps(https =>
        {
            https.ServerCertificate = _serverCertificate;
            if (_clientCas is null)
            {
                return;
            }
            https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
            https.ClientCertificateValidation = ValidateClient;
        });
    }

    // Clients are checked against the configured CA only, not the machine's trust store: a certificate from a
    // public CA must not open a server that was told to trust one private CA.
    private bool ValidateClient(X509Certificate2 certificate, X509Chain? _, SslPolicyErrors errors)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_clientCas!);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }
}
