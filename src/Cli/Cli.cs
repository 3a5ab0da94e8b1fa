using System.CommandLine;
using Orchestrator.Cli.Commands;

namespace Orchestrator.Cli;

/// <summary>The <c>orch</c> command line: parses the arguments, runs the command and returns the exit code.</summary>
public static class Cli
{
    /// <summary>Runs <c>orch</c> with the process's environment, writing to the given writers.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr) =>
        RunAsync(args, stdout, stderr, CliEnvironment.FromProcess(stdout), CancellationToken.None);

    internal static Task<int> RunAsync(
        string[] args, TextWriter stdout, TextWriter stderr, CliEnvironment environment, CancellationToken cancellationToken)
    {
        var root = BuildRootCommand(new CommandRunner(stdout, stderr, environment));
        var configuration = new InvocationConfiguration { Output = stdout, Error = stderr };
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0 && !args.Any(a => a is "--help" or "-h" or "-?"))
        {
            // One line, naming what was wrong, instead of the error list and the whole help text.
            var error = parsed.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal)) ?? parsed.Errors[0];
            stderr.WriteLine($"orch: {error.Message} (see {CommandPath(parsed.CommandResult)} --help)");
            return Task.FromResult(ExitCodes.UsageError);
        }

        return parsed.InvokeAsync(configuration, cancellationToken);
    }

    private static string CommandPath(System.CommandLine.Parsing.CommandResult command)
    {
        var names = new List<string>();
        for (System.CommandLine.Parsing.SymbolResult? at = command; at is System.CommandLine.Parsing.CommandResult c; at = c.Parent)
        {
            names.Insert(0, c.Parent is null ? "orch" : c.Command.Name);
        }

        return string.Join(' ', names);
    }

    internal static RootCommand BuildRootCommand(CommandRunner runner)
    {
        var root = new RootCommand("orch: run containers on an orchestrator cluster through its ECS-compatible API.");
        root.Options.Add(runner.Globals.Endpoint);
        root.Options.Add(runner.Globals.Output);
        root.Subcommands.Add(ClusterCommands.Create(runner));
        root.Subcommands.Add(TaskDefinitionCommands.Create(runner));
        root.Subcommands.Add(TaskCommands.Create(runner));
        root.Subcommands.Add(ServiceCommands.Create(runner));
        root.Subcommands.Add(InstanceCommands.Create(runner));
        root.Subcommands.Add(AttributeCommands.Create(runner));
        root.Subcommands.Add(CapacityCommands.Create(runner));
        root.Subcommands.Add(LoadBalancerCommands.Create(runner));
        root.Subcommands.Add(AccessKeyCommands.Create(runner));
        root.Subcommands.Add(ActivationCommands.Create(runner));
        root.Subcommands.Add(SecretCommands.Create(runner));
        root.Subcommands.Add(RoleCommands.Create(runner));
        root.Subcommands.Add(ScheduleCommands.Create(runner));
        root.Subcommands.Add(ImageCommands.Create(runner));
        return root;
    }
}
