using System.Text.Json;
using RecServe.Core.Errors;
using RecServe.Core.Tensors;

namespace RecServe.Protocol.Json;

/// <summary>
/// Reads <c>"instances": [row, ...]</c>. Each row is either one bare value (only when the signature has a single
/// input) or an object naming every input; all rows must be of the same kind, and each input must have the same
/// shape in every row. Rows are stacked on a new leading dimension.
/// </summary>
internal static class RowFormatParser
{
    /// <summary>Reads the list the reader is on into <paramref name="inputs"/>; returns the number of rows.</summary>
    public static int Read(ref Utf8JsonReader reader, InputSet inputs, ParseContext context)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw ServingException.InvalidArgument($"'instances' must be a list of rows, got {JsonTokens.Describe(ref reader)}");
        }
        JsonTokens.Next(ref reader, context.MaxDepth);
        if (reader.TokenType == JsonTokenType.EndArray)
        {
            throw ServingException.InvalidArgument("'instances' is an empty list; send at least one row");
        }

        var objectRows = IsRowObject(reader);
        if (!objectRows && inputs.RequiredCount > 1)
        {
            throw ServingException.InvalidArgument(
                $"'instances' rows are bare values, but the signature has {inputs.RequiredCount} inputs ({inputs.NameList()}); each row must be an object naming every input");
        }

        // Key order of the first row, used as the lookup hint for the same position in later rows.
        var keyOrder = objectRows ? new int[inputs.Count] : [];
        var row = 0;
        while (reader.TokenType != JsonTokenType.EndArray)
        {
            context.Row = row;
            if (objectRows)
            {
                ReadObjectRow(ref reader, inputs, context, keyOrder);
            }
            else
            {
                ReadBareRow(ref reader, inputs[0], context);
            }
            row++;
            JsonTokens.Next(ref reader, context.MaxDepth);
        }
        context.Row = -1;
        return row;
    }

    private static void ReadBareRow(ref Utf8JsonReader reader, InputAccumulator input, ParseContext context)
    {
        if (IsRowObject(reader))
        {
            throw ServingException.InvalidArgument(
                $"'instances' row {context.Row} is an object, but row 0 is a bare value; rows must all be bare values or all be objects");
        }
        JsonValueReader.Read(ref reader, input, context);
        CheckRowShape(input, context);
    }

    private static void ReadObjectRow(ref Utf8JsonReader reader, InputSet inputs, ParseContext context, int[] keyOrder)
    {
        var row = context.Row;
        if (!IsRowObject(reader))
        {
            throw ServingException.InvalidArgument(
                $"'instances' row {row} is {JsonTokens.Describe(ref reader)}, but row 0 is an object; every row must be an object naming each input ({inputs.NameList()})");
        }

        var key = 0;
        JsonTokens.Next(ref reader, context.MaxDepth);
        while (reader.TokenType == JsonTokenType.PropertyName)
        {
            var hint = key >= keyOrder.Length ? 0 : row == 0 ? key : keyOrder[key];
            var index = inputs.Find(ref reader, hint);
            if (index < 0)
            {
                throw ServingException.InvalidArgument(
                    $"'instances' row {row} has key '{JsonTokens.Text(ref reader)}', which is not an input of the signature; inputs: {inputs.NameList()}");
            }
            var input = inputs[index];
            if (input.Optional)
            {
                throw ServingException.InvalidArgument(
                    $"'instances' row {row} gives '{input.Name}', but ragged ids need the columnar format ('inputs'); in rows, give each row's ids padded with -1");
            }
            if (input.LastRow == row)
            {
                throw ServingException.InvalidArgument($"'instances' row {row} gives input '{input.Name}' more than once");
            }
            input.LastRow = row;
            if (row == 0 && key < keyOrder.Length)
            {
                keyOrder[key] = index;
            }

            JsonTokens.Next(ref reader, context.MaxDepth);
            JsonValueReader.Read(ref reader, input, context);
            CheckRowShape(input, context);
            key++;
            JsonTokens.Next(ref reader, context.MaxDepth);
        }

        if (key != inputs.RequiredCount)
        {
            for (var i = 0; i < inputs.RequiredCount; i++)
            {
                if (inputs[i].LastRow != row)
                {
                    throw ServingException.InvalidArgument(
                        $"'instances' row {row} lacks input '{inputs[i].Name}'; every row must give every input ({inputs.NameList()})");
                }
            }
        }
    }

    private static void CheckRowShape(InputAccumulator input, ParseContext context)
    {
        if (input.ItemShape is null)
        {
            input.SetItemShape(context.Shape.Dims);
        }
        else if (!context.Shape.ShapeEquals(input.ItemShape))
        {
            throw context.Fail(input,
                $"shape {TensorShape.Format(context.Shape.ToShape())} differs from the shape {TensorShape.Format(input.ItemShape)} of earlier rows; every row must have the same shape");
        }
    }

    // A row object is any object except a {"b64": ...} value, which is one bytes value (TF-Serving's rule).
    private static bool IsRowObject(Utf8JsonReader reader)
        => reader.TokenType == JsonTokenType.StartObject && !JsonTokens.IsBase64Object(reader);
}
