using System.Globalization;
using RecServe.Embeddings.Tables;

namespace RecServe.Embeddings.Redis;

/// <summary>
/// The value of a pushed table's complete key (and of its progress key while a push runs): how the copy is laid out,
/// so that readers use the layout the writer chose. Text, one <c>name=value</c> per <c>;</c>, readable with redis-cli.
/// </summary>
/// <param name="Layout">Row storage.</param>
/// <param name="Groups">Id groups.</param>
/// <param name="Rows">Rows pushed (at completion: all of them).</param>
/// <param name="NextBucket">For progress: the table entry position (hash bucket, or dense-range row) the push continues from.</param>
public sealed record RedisTableMarker(RedisRowLayout Layout, int Groups, long Rows, long NextBucket = 0)
{
    /// <summary>The stored text.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"layout={Layout.ToString().ToLowerInvariant()};groups={Groups};rows={Rows};next_bucket={NextBucket}");

    /// <summary>Parses <see cref="ToString"/>'s text; null when it is not a marker.</summary>
    public static RedisTableMarker? Parse(string? text)
    {
        if (text is null)
        {
            return null;
        }
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in text.Split(';'))
        {
            var eq = part.IndexOf('=');
            if (eq > 0)
            {
                fields[part[..eq]] = part[(eq + 1)..];
            }
        }
        if (!fields.TryGetValue("layout", out var layout) || !Enum.TryParse<RedisRowLayout>(layout, ignoreCase: true, out var parsed)
            || !TryGet(fields, "groups", out var groups) || !TryGet(fields, "rows", out var rows) || !TryGet(fields, "next_bucket", out var next))
        {
            return null;
        }
        return new RedisTableMarker(parsed, (int)groups, rows, next);
    }

    /// <summary>Keys for <paramref name="table"/> laid out as this marker says.</summary>
    public RedisTableKeys KeysFor(TableDescription table) => new(table, Layout, Groups);

    private static bool TryGet(Dictionary<string, string> fields, string name, out long value)
    {
        value = 0;
        return fields.TryGetValue(name, out var text) && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
