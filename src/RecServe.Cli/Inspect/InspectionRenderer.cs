using System.Globalization;
using Spectre.Console;

namespace RecServe.Cli.Inspect;

/// <summary>Prints a <see cref="ModelInspection"/> as aligned tables (coloured when the console supports it).</summary>
internal static class InspectionRenderer
{
    public static void Render(IAnsiConsole console, ModelInspection inspection)
    {
        console.MarkupLineInterpolated($"[bold]{inspection.VersionFolder}[/]: {inspection.Kind}");
        if (inspection.VersionsInBasePath.Count > 0)
        {
            console.MarkupLineInterpolated($"versions in base path: {string.Join(", ", inspection.VersionsInBasePath)} (showing the highest)");
        }

        var inputs = NewTable("inputs", "name", "kind", "dtype", "shape", "table", "pooling", "max ids");
        foreach (var input in inspection.Inputs)
        {
            inputs.AddRow(Cells(input.Name, input.Kind, input.Dtype, input.Shape, input.Table, input.Pooling, input.MaxIds));
        }
        console.Write(inputs);

        var outputs = NewTable("outputs", "name", "dtype", "shape");
        foreach (var output in inspection.Outputs)
        {
            outputs.AddRow(Cells(output.Name, output.Dtype, output.Shape));
        }
        console.Write(outputs);

        if (inspection.Tables.Count > 0)
        {
            var tables = NewTable("tables", "name", "dim", "dtype", "rows", "bytes", "residency", "cache budget", "index");
            foreach (var t in inspection.Tables)
            {
                tables.AddRow(Cells(t.Name, Number(t.Dim), t.Dtype, Number(t.Rows), Bytes(t.Bytes), t.Residency, t.CacheBytes > 0 ? Bytes(t.CacheBytes) : "none", t.Index));
            }
            RightAlign(tables, 1, 3, 4, 6);
            console.Write(tables);
        }

        if (inspection.Deltas.Count > 0)
        {
            var deltas = NewTable("deltas", "file", "seq", "records", "bytes");
            foreach (var d in inspection.Deltas)
            {
                deltas.AddRow(Cells(d.File, Number(d.Seq), Number(d.Records), Bytes(d.Bytes)));
            }
            RightAlign(deltas, 1, 2, 3);
            console.Write(deltas);
        }
        else if (inspection.Tables.Count > 0)
        {
            console.WriteLine("deltas: none in deltas/");
        }
        if (inspection.OverlayState is not null)
        {
            console.MarkupLineInterpolated($"overlay: {inspection.OverlayState}");
        }
    }

    private static Table NewTable(string title, params string[] columns)
    {
        var table = new Table { Border = TableBorder.Rounded, Title = new TableTitle(title, new Style(decoration: Decoration.Bold)) };
        foreach (var column in columns)
        {
            table.AddColumn(new TableColumn(new Text(column, new Style(Color.Grey))));
        }
        return table;
    }

    // Text cells, never markup: names come from model files and may hold '[' or ']'.
    private static Text[] Cells(params string[] values) => [.. values.Select(v => new Text(v))];

    private static void RightAlign(Table table, params int[] columns)
    {
        foreach (var column in columns)
        {
            table.Columns[column].RightAligned();
        }
    }

    private static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Bytes(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? $"{bytes} B" : value.ToString("0.0", CultureInfo.InvariantCulture) + " " + units[unit];
    }
}
