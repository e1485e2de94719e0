using System.Runtime.CompilerServices;
using System.Text.Json;

namespace RecServe.Protocol.Json;

/// <summary>
/// Moves a <see cref="Utf8JsonReader"/> forward over bytes that were checked by other means, as if it had read them
/// token by token: <see cref="JsonNumberArrayReader"/> reads a list of numbers straight from the bytes, then puts the
/// reader on the list's closing bracket.
/// </summary>
/// <remarks>
/// The reader has no public way to do this, so its private position fields are reached with
/// <see cref="UnsafeAccessorAttribute"/>. Line and column are kept exact because the reader's later syntax errors
/// quote them. Should a future System.Text.Json rename the fields, <see cref="IsAvailable"/> turns false and the
/// callers read token by token, as before.
/// </remarks>
internal static class Utf8JsonReaderJump
{
    /// <summary>Whether this runtime's reader has the fields this type moves (checked once, on a tiny document).</summary>
    public static bool IsAvailable { get; } = Probe();

    /// <summary>The whole buffer the span-based <paramref name="reader"/> reads.</summary>
    public static ReadOnlySpan<byte> Buffer(ref Utf8JsonReader reader) => BufferField(ref reader);

    /// <summary>Index in <see cref="Buffer"/> of the next byte <paramref name="reader"/> will read.</summary>
    public static int Position(ref Utf8JsonReader reader) => ConsumedField(ref reader);

    /// <summary>
    /// Makes <paramref name="reader"/> continue at <paramref name="target"/> (at or after <see cref="Position"/>),
    /// having skipped bytes that hold only whitespace, numbers, commas and brackets of lists it will not be told
    /// about, so that they must balance.
    /// </summary>
    public static void MoveTo(ref Utf8JsonReader reader, int target)
    {
        ref var consumed = ref ConsumedField(ref reader);
        var skipped = BufferField(ref reader)[consumed..target];
        // The reader counts lines at '\n' and bytes since the last one; numbers and brackets hold no line breaks.
        var lastBreak = skipped.LastIndexOf((byte)'\n');
        if (lastBreak >= 0)
        {
            LineNumberField(ref reader) += skipped.Count((byte)'\n');
            BytePositionInLineField(ref reader) = skipped.Length - lastBreak - 1;
        }
        else
        {
            BytePositionInLineField(ref reader) += skipped.Length;
        }
        consumed = target;
    }

    private static bool Probe()
    {
        try
        {
            var reader = new Utf8JsonReader("[1,\n 2]"u8);
            reader.Read();
            MoveTo(ref reader, Buffer(ref reader).IndexOf((byte)']'));
            return reader.Read() && reader.TokenType == JsonTokenType.EndArray && reader.TokenStartIndex == 6 && !reader.Read();
        }
        catch (MissingMemberException)
        {
            return false;
        }
    }

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_buffer")]
    private static extern ref ReadOnlySpan<byte> BufferField(ref Utf8JsonReader reader);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_consumed")]
    private static extern ref int ConsumedField(ref Utf8JsonReader reader);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_lineNumber")]
    private static extern ref long LineNumberField(ref Utf8JsonReader reader);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_bytePositionInLine")]
    private static extern ref long BytePositionInLineField(ref Utf8JsonReader reader);
}
