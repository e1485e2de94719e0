using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using RecServe.Server.Hosting;

namespace RecServe.Server.Rest;

/// <summary>A request body read into a pooled buffer; dispose to return it.</summary>
internal readonly struct PooledBody(byte[] buffer, int length) : IDisposable
{
    public ReadOnlySpan<byte> Span => buffer.AsSpan(0, length);

    public void Dispose() => ArrayPool<byte>.Shared.Return(buffer);
}

/// <summary>Reads a whole request body into pooled memory, refusing one larger than the configured maximum with 413.</summary>
internal static class RequestBodyReader
{
    public static async Task<PooledBody> ReadAsync(HttpContext context)
    {
        var limit = context.RequestServices.GetRequiredService<ServerOptions>().MaxMessageBytes;
        var declared = context.Request.ContentLength;
        if (declared > limit)
        {
            throw TooLarge(declared.Value, limit);
        }
        var buffer = ArrayPool<byte>.Shared.Rent(declared is > 0 ? (int)declared.Value + 1 : 16 * 1024);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                var read = await context.Request.Body.ReadAsync(buffer.AsMemory(length), context.RequestAborted).ConfigureAwait(false);
                if (read == 0)
                {
                    return new PooledBody(buffer, length);
                }
                length += read;
                if (length > limit)
                {
                    throw TooLarge(length, limit);
                }
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    private static BadHttpRequestException TooLarge(long size, int limit) =>
        new($"request body of {size} bytes or more exceeds the limit of {limit} bytes (--max_message_bytes)", StatusCodes.Status413PayloadTooLarge);
}
