using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using RecServe.Server.Serving;

namespace RecServe.Server.Rest;

/// <summary>A REST prediction from run to answer: the part TF-Serving's and KServe v2's REST APIs share.</summary>
internal static class RestPrediction
{
    /// <summary>
    /// Runs <paramref name="exchange"/>, which encodes into <paramref name="output"/> (from <see cref="ResponseBuffers"/>),
    /// and sends the JSON it wrote with 200; <paramref name="output"/> goes back to the pool once sent or failed.
    /// </summary>
    public static async Task AnswerAsync<TExchange>(HttpContext context, string api, TExchange exchange, ArrayBufferWriter<byte> output)
        where TExchange : struct, IPredictionExchange<ReadOnlyMemory<byte>>
    {
        try
        {
            var pipeline = context.RequestServices.GetRequiredService<PredictionPipeline>();
            var json = await PredictionRun.RunAsync<TExchange, ReadOnlyMemory<byte>>(pipeline, api, exchange, pipeline.InputBuffers.Rent())
                .ConfigureAwait(false);
            await RestResponses.WriteJsonAsync(context, StatusCodes.Status200OK, json).ConfigureAwait(false);
        }
        finally
        {
            ResponseBuffers.Return(output);
        }
    }
}
