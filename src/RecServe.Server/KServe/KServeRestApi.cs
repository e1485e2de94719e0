using System.Buffers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using RecServe.Core.Errors;
using RecServe.Lifecycle;
using RecServe.Protocol.KServe;
using RecServe.Server.Rest;
using RecServe.Server.Serving;

namespace RecServe.Server.KServe;

/// <summary>
/// KServe v2's REST API (Open Inference Protocol) on the REST port: <c>/v2/health/live|ready</c>, <c>/v2</c>,
/// <c>/v2/models/{name}[/versions/{v}]</c> with <c>/ready</c> and <c>POST .../infer</c>. Health answers are the
/// status code alone, as the protocol says: 200 for true, 400 for false. Errors are <c>{"error": "..."}</c>.
/// </summary>
public static class KServeRestApi
{
    private const string Model = "/v2/models/{name}";
    private const string ModelVersion = "/v2/models/{name}/versions/{version}";


    /// <summary>Maps the <c>/v2</c> routes onto <paramref name="app"/>.</summary>
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/v2/health/live", Health(static _ => true));
        app.MapGet("/v2/health/ready", Health(static context => Models(context).IsServerReady()));
        app.MapGet("/v2", Guarded(ServerMetadataAsync));
        app.MapGet(Model, Guarded(ModelMetadataAsync));
        app.MapGet(ModelVersion, Guarded(ModelMetadataAsync));
        app.MapGet(Model + "/ready", Health(static context => Models(context).IsModelReady(Name(context), Version(context))));
        app.MapGet(ModelVersion + "/ready", Health(static context => Models(context).IsModelReady(Name(context), Version(context))));
        app.MapPost(Model + "/infer", Guarded(InferAsync));
        app.MapPost(ModelVersion + "/infer", Guarded(InferAsync));
        app.Map("/v2/{**rest}", Guarded(static context => throw ServingException.NotFound(
            $"no such endpoint: {context.Request.Method} {context.Request.Path}; KServe v2 offers GET /v2/health/live|ready, GET /v2, "
            + "GET /v2/models/{name}[/versions/{v}][/ready] and POST /v2/models/{name}[/versions/{v}]/infer")));
    }

    private static RequestDelegate Guarded(Func<HttpContext, Task> handler) => async context =>
    {
        try
        {
            await handler(context).ConfigureAwait(false);
        }
        catch (ServingException e)
        {
            await RestResponses.WriteErrorAsync(context, ErrorStatus.ToHttp(e.Code), e.Message).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            await RestResponses.WriteErrorAsync(context, e.StatusCode, e.Message).ConfigureAwait(false);
        }
    };

    // A health answer: the status code is the boolean and the body is empty, as the protocol says.
    private static RequestDelegate Health(Func<HttpContext, bool> check) => Guarded(context =>
    {
        context.Response.StatusCode = check(context) ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest;
        context.Response.ContentLength = 0;
        return Task.CompletedTask;
    });

    private static Task ServerMetadataAsync(HttpContext context)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        MetadataJsonWriter.WriteServerMetadata(buffer, KServeModels.GetServerMetadata());
        return RestResponses.WriteJsonAsync(context, StatusCodes.Status200OK, buffer.WrittenMemory);
    }

    private static Task ModelMetadataAsync(HttpContext context)
    {
        var metadata = Models(context).GetModelMetadata(Name(context), Version(context));
        var buffer = new ArrayBufferWriter<byte>(1024);
        MetadataJsonWriter.WriteModelMetadata(buffer, metadata);
        return RestResponses.WriteJsonAsync(context, StatusCodes.Status200OK, buffer.WrittenMemory);
    }

    private static Task InferAsync(HttpContext context)
    {
        var output = ResponseBuffers.Rent();
        return RestPrediction.AnswerAsync(context, ApiNames.KServeRest, new RestInferExchange(context, Name(context), Version(context), output), output);
    }

    private static KServeModels Models(HttpContext context) => new(
        context.RequestServices.GetRequiredService<ModelManager>(),
        context.RequestServices.GetRequiredService<PredictionPipeline>());

    private static string Name(HttpContext context) => (string)context.Request.RouteValues["name"]!;

    private static string? Version(HttpContext context) => context.Request.RouteValues["version"] as string;
}
