using RecServe.Core.Errors;

namespace RecServe.Protocol.Json;

/// <summary>
/// State shared by the parsers during one request: the depth limit, the shape tracker reused for every value,
/// and where in the request the parser is, so that errors say which row and input they are about.
/// </summary>
internal sealed class ParseContext
{
    public ParseContext(int maxDepth, bool scanNumberLists = true)
    {
        MaxDepth = maxDepth;
        Shape = new NestedListShape(maxDepth);
        ScanNumberLists = scanNumberLists && Utf8JsonReaderJump.IsAvailable;
    }

    /// <summary>Deepest nesting of JSON objects and lists allowed in a request.</summary>
    public int MaxDepth { get; }

    /// <summary>
    /// Whether lists of numbers are read straight from the bytes (<see cref="JsonNumberArrayReader"/>) rather than
    /// token by token; off only to compare the two in tests.
    /// </summary>
    public bool ScanNumberLists { get; }

    /// <summary>Tracks the shape of the value being read.</summary>
    public NestedListShape Shape { get; }

    /// <summary>The row of <c>instances</c> being read, or -1 while reading <c>inputs</c>.</summary>
    public int Row { get; set; } = -1;

    /// <summary>An INVALID_ARGUMENT error about <paramref name="input"/> at the current place in the request.</summary>
    public ServingException Fail(InputAccumulator input, string problem)
        => ServingException.InvalidArgument(Row >= 0
            ? $"'instances' row {Row}, input '{input.Name}': {problem}"
            : $"'inputs', input '{input.Name}': {problem}");
}
