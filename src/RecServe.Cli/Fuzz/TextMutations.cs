using System.Text;
using CsCheck;

namespace RecServe.Cli.Fuzz;

/// <summary>
/// Mutations of a JSON body: truncation, flipped bytes, invalid UTF-8, values replaced by the wrong JSON type
/// or by bad base64, and unknown fields.
/// </summary>
internal static class TextMutations
{
    private static readonly string[] WrongValues =
    [
        "\"x\"", "null", "{}", "[]", "true", "1e999", "-", "NaN", "Infinity", "9223372036854775808", "-9223372036854775809",
        "0.5", "1e-400", "{\"b64\": \"!!not base64!!\"}", "{\"b64\": 5}", "{\"b64\": \"QQ\"}", "{\"b64\": \"\", \"x\": 1}",
        "\"\\ud800\"", "[[[]]]", "\"NaN\"", "\"-Infinity\"",
    ];

    private static readonly byte[][] InvalidUtf8 = [[0xFF], [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xE2, 0x82], [0x00]];

    /// <summary>A mutation of <paramref name="body"/>, with a short description of what was done.</summary>
    public static Gen<(byte[] Bytes, string What)> Mutate(byte[] body)
    {
        var scalars = ScalarOffsets(body);
        var choices = new List<(int, IGen<(byte[], string)>)>
        {
            (2, body.Length == 0 ? Gen.Const((body, "empty")) : Gen.Int[0, body.Length - 1].Select(n => (body[..n], $"truncated to {n} of {body.Length} bytes"))),
            (2, Flip(body)),
            (2, Gen.Select(Gen.Int[0, body.Length], Gen.OneOf(InvalidUtf8), (at, bad) => ((byte[])[.. body[..at], .. bad, .. body[at..]], $"invalid UTF-8 {Convert.ToHexString(bad)} at {at}"))),
            (2, UnknownField(body)),
        };
        if (scalars.Length > 0)
        {
            choices.Add((5, Gen.Select(Gen.Int[0, scalars.Length - 1], Gen.OneOf(WrongValues), (i, value) =>
            {
                var (from, to) = scalars[i];
                return ((byte[])[.. body[..from], .. Encoding.UTF8.GetBytes(value), .. body[to..]], $"value at {from} becomes {value}");
            })));
        }
        return Gen.Frequency([.. choices]);
    }

    private static Gen<(byte[], string)> Flip(byte[] body) => body.Length == 0
        ? Gen.Const((new byte[] { 0xFF }, "one byte 0xFF"))
        : Gen.Select(Gen.Int[0, body.Length - 1], Gen.Byte, (at, value) =>
        {
            var copy = body.ToArray();
            copy[at] = value;
            return (copy, $"byte {at} set to 0x{value:X2}");
        });

    private static Gen<(byte[], string)> UnknownField(byte[] body)
    {
        var open = Array.IndexOf(body, (byte)'{');
        if (open < 0)
        {
            return Gen.Const((body, "no object to add a field to"));
        }
        return Gen.Select(Gen.OneOf("zz", "instances", "inputs", "signature_name", "parameters", "id", "outputs"), Gen.OneOf(WrongValues), (name, value) =>
        {
            var field = Encoding.UTF8.GetBytes($"\"{name}\": {value}, ");
            return ((byte[])[.. body[..(open + 1)], .. field, .. body[(open + 1)..]], $"field \"{name}\": {value} added first");
        });
    }

    // Numbers and strings outside property names: the spans a wrong value can replace.
    private static (int From, int To)[] ScalarOffsets(byte[] body)
    {
        var spans = new List<(int, int)>();
        var at = 0;
        while (at < body.Length && spans.Count < 4096)
        {
            var c = body[at];
            if (c == '"')
            {
                var end = at + 1;
                while (end < body.Length && body[end] != '"')
                {
                    end += body[end] == '\\' ? 2 : 1;
                }
                end = Math.Min(end + 1, body.Length);
                var next = end;
                while (next < body.Length && body[next] == ' ')
                {
                    next++;
                }
                if (next >= body.Length || body[next] != ':')
                {
                    spans.Add((at, end));
                }
                at = end;
            }
            else if (c == '-' || char.IsAsciiDigit((char)c))
            {
                var end = at + 1;
                while (end < body.Length && (char.IsAsciiDigit((char)body[end]) || body[end] is (byte)'.' or (byte)'e' or (byte)'E' or (byte)'+' or (byte)'-'))
                {
                    end++;
                }
                spans.Add((at, end));
                at = end;
            }
            else
            {
                at++;
            }
        }
        return [.. spans];
    }
}
