using System.Text.Json;
using Orchestrator.Ecs.Json;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Orchestrator.Cli.Output;

/// <summary>
/// Where a command prints: tables and lines through Spectre.Console on standard output, ECS response documents as
/// indented JSON, and errors on standard error.
/// </summary>
internal sealed class CommandOutput
{
    /// <summary>Lines are not wrapped when the output is not a terminal (a file or a pipe has no width).</summary>
    private const int UnboundedWidth = 4096;

    private readonly TextWriter _stdout;
    private readonly TextWriter _stderr;
    private readonly StringWriter _rendered = new();
    private readonly IAnsiConsole _console;

    public CommandOutput(TextWriter stdout, TextWriter stderr, OutputFormat format, CliEnvironment environment)
    {
        _stdout = stdout;
        _stderr = stderr;
        Format = format;
        LocalTimeZone = environment.Time.LocalTimeZone;

        // Spectre.Console renders into a buffer so that the padding it leaves at the end of a line can be trimmed.
        _console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = environment.IsTerminal ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = environment.IsTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(_rendered),
        });
        _console.Profile.Width = environment.IsTerminal ? Math.Max(Console.WindowWidth, 40) : UnboundedWidth;
    }

    public OutputFormat Format { get; }

    public bool IsJson => Format == OutputFormat.Json;

    public TimeZoneInfo LocalTimeZone { get; }

    public void Write(IRenderable renderable)
    {
        _console.Write(renderable);
        var text = _rendered.ToString();
        _rendered.GetStringBuilder().Clear();
        foreach (var line in text.TrimEnd().Split('\n'))
        {
            _stdout.WriteLine(line.TrimEnd());
        }
    }

    public void Line(string text = "") => _stdout.WriteLine(text);

    /// <summary>Pushes what was written out now (a followed log must not wait for a buffer to fill).</summary>
    public void Flush() => _stdout.Flush();

    /// <summary>A progress note: on standard output with tables, on standard error with JSON so stdout stays one document.</summary>
    public void Progress(string text) => (IsJson ? _stderr : _stdout).WriteLine(text);

    public void Error(string text) => _stderr.WriteLine(text);

    /// <summary>An ECS response document, as the AWS CLI prints it.</summary>
    public void Json<T>(T document) => _stdout.WriteLine(JsonSerializer.Serialize(document, EcsJson.Display));
}
