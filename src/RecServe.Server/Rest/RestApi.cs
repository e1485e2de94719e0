using System.Buffers;
using System.Text.Json;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using RecServe.Core.Errors;
using RecServe.Lifecycle;
using RecServe.Protocol.Metadata;
using RecServe.Server.Hosting;
using RecServe.Server.Serving;

namespace RecServe.Server.Rest;

/// <summary>TF-Serving's REST API (<c>/v1/models/...</c>) and the health endpoints.</summary>
public static class RestApi
{
    private static readonly JsonFormatter ProtoJson = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true).WithPreserveProtoFieldNames(true));

    /// <summary>Maps the REST routes onto <paramref name="app"/>.</summary>
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapGet("/readyz", (ModelManager manager) =>
        {
            var notReady = ModelsReadyHealthCheck.NotReadyModels(manager);
            return notReady.Count == 0
                ? Results.Text("ready")
                : Results.Text("not ready: no available version of " + string.Join(", ", notReady), statusCode: StatusCodes.Status503ServiceUnavailable);
        });
        app.Map("/v1/models/{**rest}", HandleAsync);
    }

    private static async Task HandleAsync(HttpContext context, string? rest)
    {
        try
        {
            var path = RestPath.TryParse(rest ?? string.Empty)
                ?? throw ServingException.NotFound($"no such endpoint: {context.Request.Path}; see /v1/models/{{name}}[/versions/{{v}}|/labels/{{l}}][:predict|/metadata]");
            var method = context.Request.Method;
            switch (path.Action)
            {
                case RestAction.Predict when HttpMethods.IsPost(method):
                    await PredictAsync(context, path).ConfigureAwait(false);
                    return;
                case RestAction.Status when HttpMethods.IsGet(method):
                    await StatusAsync(context, path).ConfigureAwait(false);
                    return;
                case RestAction.Metadata when HttpMethods.IsGet(method):
                    await MetadataAsync(context, path).ConfigureAwait(false);
                    return;
                case RestAction.Unsupported:
                    throw new ServingException(ServingErrorCode.Unimplemented, $"'{path.Verb}' is not supported; RecServe serves :predict");
                default:
                    await RestResponses.WriteErrorAsync(context, StatusCodes.Status405MethodNotAllowed, $"{method} is not allowed on {context.Request.Path}").ConfigureAwait(false);
                    return;
            }
        }
        catch (ServingException e)
        {
            await RestResponses.WriteErrorAsync(context, ErrorStatus.ToHttp(e.Code), e.Message).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            await RestResponses.WriteErrorAsync(context, e.StatusCode, e.Message).ConfigureAwait(false);
        }
    }

    private static Task PredictAsync(HttpContext context, RestPath path)
    {
        var output = ResponseBuffers.Rent();
        return RestPrediction.AnswerAsync(context, ApiNames.RestPredict, new RestPredictExchange(context, path, output), output);
    }

    private static Task StatusAsync(HttpContext context, RestPath path)
    {
        var manager = context.RequestServices.GetRequiredService<ModelManager>();
        var statuses = manager.GetStatus(path.Model, path.Version, path.Label);
        var response = ModelStatusEncoder.Encode(statuses.Select(s => new VersionState(s.Version, (int)s.State, s.Error)));
        return RestResponses.WriteJsonAsync(context, StatusCodes.Status200OK, System.Text.Encoding.UTF8.GetBytes(ProtoJson.Format(response)));
    }

    private static Task MetadataAsync(HttpContext context, RestPath path)
    {
        var pipeline = context.RequestServices.GetRequiredService<PredictionPipeline>();
        using var handle = pipeline.Lease(path.Model, path.Version, path.Label);
        var signatures = new Tensorflow.Serving.SignatureDefMap();
        signatures.SignatureDef[Core.Signatures.ModelSignature.DefaultName] = SignatureDefEncoder.Encode(handle.Model.Signature);
        var spec = new Tensorflow.Serving.ModelSpec { Name = path.Model, Version = handle.Version };

        // TF-Serving writes the packed SignatureDefMap inline, without protobuf's "@type" wrapper.
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("model_spec");
            writer.WriteRawValue(ProtoJson.Format(spec));
            writer.WriteStartObject("metadata");
            writer.WritePropertyName(SignatureDefEncoder.SignatureDefField);
            writer.WriteRawValue(ProtoJson.Format(signatures));
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        return RestResponses.WriteJsonAsync(context, StatusCodes.Status200OK, buffer.WrittenMemory);
    }
}
