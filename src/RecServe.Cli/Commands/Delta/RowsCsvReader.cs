using System.Globalization;
using RecServe.Import;

namespace RecServe.Cli.Commands.Delta;

/// <summary>
/// Rows for <c>recserve delta make</c>: one per line, <c>id,v1,...,vD</c> for an upsert or <c>id</c> alone for a
/// delete; blank lines and lines starting with <c>#</c> are skipped.
/// </summary>
internal static class RowsCsvReader
{
    /// <summary>Lines between progress reports.</summary>
    public const int ProgressLines = 65536;

    /// <summary>Calls <paramref name="upsert"/> or <paramref name="delete"/> for each line, in order.</summary>
    /// <exception cref="FormatException">A line is not an id followed by nothing or by exactly <paramref name="dim"/> numbers.</exception>
    /// <remarks><paramref name="progress"/> hears the bytes read every <see cref="ProgressLines"/> lines and at the end.</remarks>
    public static void Read(string path, int dim, Action<long, float[]> upsert, Action<long> delete, IProgress<ImportProgress>? progress = null)
    {
        var row = new float[dim];
        var number = 0;
        using var stream = File.OpenRead(path);
        using var reader = new StreamReader(stream);
        var stage = "reading " + Path.GetFileName(path);
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (number % ProgressLines == 0)
            {
                progress?.Report(new ImportProgress(stage, stream.Position, stream.Length));
            }
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
        progress?.Report(new ImportProgress(stage, stream.Length, stream.Length));
    }
}
