using System.Globalization;

namespace RecServe.Cli.Commands.Delta;

/// <summary>
/// Rows for <c>recserve delta make</c>: one per line, <c>id,v1,...,vD</c> for an upsert or <c>id</c> alone for a
/// delete; blank lines and lines starting with <c>#</c> are skipped.
/// </summary>
internal static class RowsCsvReader
{
    /// <summary>Calls <paramref name="upsert"/> or <paramref name="delete"/> for each line, in order.</summary>
    /// <exception cref="FormatException">A line is not an id followed by nothing or by exactly <paramref name="dim"/> numbers.</exception>
    public static void Read(string path, int dim, Action<long, float[]> upsert, Action<long> delete)
    {
        var row = new float[dim];
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            var text = line.Trim();
            if (text.Length == 0 || text[0] == '#')
            {
                continue;
            }
            var fields = text.Split(',');
            if (!long.TryParse(fields[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var id))
            {
                throw new FormatException($"{path}:{number}: '{fields[0]}' is not an id");
            }
            if (fields.Length == 1)
            {
                delete(id);
                continue;
            }
            if (fields.Length != dim + 1)
            {
                throw new FormatException($"{path}:{number}: {fields.Length - 1} values, the table has dim {dim}");
            }
            for (var i = 0; i < dim; i++)
            {
                if (!float.TryParse(fields[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out row[i]))
                {
                    throw new FormatException($"{path}:{number}: '{fields[i + 1]}' is not a number");
                }
            }
            upsert(id, row);
        }
    }
}
