using System.Text.Json;
using RecServe.Core.Errors;

namespace RecServe.Protocol.Json;

/// <summary>
/// Reads <c>"inputs": value</c> (single-input signatures) or <c>"inputs": {name: value, ...}</c>; each value is
/// a whole tensor. As in TF-Serving, keys that name no input are ignored, and every input must be given.
/// </summary>
internal static class ColumnarFormatParser
{
    /// <summary>Reads the value the reader is on into <paramref name="inputs"/>.</summary>
    public static void Read(ref Utf8JsonReader reader, InputSet inputs, ParseContext context)
    {
        // {"b64": ...} is one bytes value, not a map of inputs (TF-Serving's rule).
        if (reader.TokenType != JsonTokenType.StartObject || JsonTokens.IsBase64Object(reader))
        {
            if (inputs.RequiredCount != 1)
            {
                throw ServingException.InvalidArgument(
                    $"'inputs' is a bare value, but the signature has {inputs.Count} inputs ({inputs.NameList()}); use {{\"inputs\": {{\"name\": value, ...}}}}");
            }
            ReadOne(ref reader, inputs[0], context);
            return;
        }

        var key = 0;
        JsonTokens.Next(ref reader, context.MaxDepth);
        while (reader.TokenType == JsonTokenType.PropertyName)
        {
            var index = inputs.Find(ref reader, key % inputs.Count);
            JsonTokens.Next(ref reader, context.MaxDepth);
            if (index < 0)
            {
                JsonTokens.Skip(ref reader, context.MaxDepth);
            }
            else
            {
                var input = inputs[index];
                if (input.ItemShape is not null)
                {
                    throw ServingException.InvalidArgument($"'inputs' gives input '{input.Name}' more than once");
                }
                ReadOne(ref reader, input, context);
            }
            key++;
            JsonTokens.Next(ref reader, context.MaxDepth);
        }

        for (var i = 0; i < inputs.Count; i++)
        {
            if (inputs[i].ItemShape is null && !inputs[i].Optional)
            {
                throw ServingException.InvalidArgument(
                    $"'inputs' lacks input '{inputs[i].Name}'; the signature's inputs are {inputs.NameList()}");
            }
        }
    }

    private static void ReadOne(ref Utf8JsonReader reader, InputAccumulator input, ParseContext context)
    {
        JsonValueReader.Read(ref reader, input, context);
        input.SetItemShape(context.Shape.Dims);
    }
}
