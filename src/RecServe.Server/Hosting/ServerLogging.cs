using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace RecServe.Server.Hosting;

/// <summary>The server's console log in the chosen <see cref="LogFormat"/>, and its "ready" line.</summary>
public static partial class ServerLogging
{
    /// <summary>The category of the server's own lifecycle lines (the "ready" line).</summary>
    public const string Category = "RecServe.Server";

    /// <summary>Replaces the logging providers with one console logger in <paramref name="format"/>.</summary>
    public static void AddConsole(ILoggingBuilder logging, LogFormat format)
    {
        logging.ClearProviders();
        if (format == LogFormat.Json)
        {
            logging.AddJsonConsole(json =>
            {
                json.UseUtcTimestamp = true;
                json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                // Relaxed escaping keeps quotes and non-ASCII model names readable; the line is still valid JSON.
                json.JsonWriterOptions = new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
            });
        }
        else
        {
            logging.AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "HH:mm:ss.fff ";
            });
        }
    }

    /// <summary>
    /// Reports that the server listens: a plain "RecServe ready: ..." line in text format (what people and scripts
    /// wait for), a log entry with the same message in JSON format, so that stdout stays all JSON.
    /// </summary>
    public static void ReportReady(WebApplication app, ServerOptions options)
    {
        var tls = string.IsNullOrEmpty(options.TlsCertFile) ? "" : " (TLS)";
        var grpc = $"{options.BindAddress}:{options.GrpcPort}";
        var rest = $"{options.BindAddress}:{options.RestPort}";
        if (options.LogFormat == LogFormat.Json)
        {
            Ready(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(Category), grpc, rest, tls);
        }
        else
        {
            Console.WriteLine($"RecServe ready: gRPC on {grpc}, REST on {rest}{tls}");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "RecServe ready: gRPC on {Grpc}, REST on {Rest}{Tls}")]
    private static partial void Ready(ILogger logger, string grpc, string rest, string tls);
}
