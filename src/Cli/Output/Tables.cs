using Spectre.Console;
using Spectre.Console.Rendering;

namespace Orchestrator.Cli.Output;

/// <summary>
/// The table and detail layouts every command uses: borderless, upper-case headers, cell text never read as markup.
/// </summary>
internal static class Tables
{
    /// <summary>Shown for a value that is absent.</summary>
    public const string None = "-";

    /// <summary>Bold where the output is a terminal; plain text otherwise.</summary>
    private static readonly Style HeaderStyle = new(decoration: Decoration.Bold);

    public static Table Create(params string[] headers)
    {
        var table = new Table().Border(TableBorder.None);
        foreach (var header in headers)
        {
            table.AddColumn(new TableColumn(new Text(header, HeaderStyle)) { Padding = new Padding(0, 0, 3, 0) });
        }

        return table;
    }

    public static Table Row(this Table table, params string?[] cells)
    {
        table.AddRow(cells.Select(cell => (IRenderable)new Text(string.IsNullOrEmpty(cell) ? None : cell)));
        return table;
    }

    /// <summary>A "Name: value" list, for one resource's details.</summary>
    public static Grid Details(IEnumerable<(string Name, string? Value)> fields)
    {
        var grid = new Grid();
        grid.AddColumn(new GridColumn { NoWrap = true, Padding = new Padding(0, 0, 2, 0) });
        grid.AddColumn(new GridColumn());
        foreach (var (name, value) in fields)
        {
            grid.AddRow(new Text(name + ":"), new Text(string.IsNullOrEmpty(value) ? None : value));
        }

        return grid;
    }
}
