using Orchestrator.Ecs.Model;

namespace Orchestrator.Cli.Output;

/// <summary>A response's <c>failures</c>: the items the action could not handle, and why.</summary>
internal static class FailureView
{
    public static void Write(CommandOutput output, IReadOnlyList<Failure> failures)
    {
        if (failures.Count == 0)
        {
            return;
        }

        output.Line();
        output.Line("Failures:");
        var table = Tables.Create("ARN", "REASON", "DETAIL");
        foreach (var failure in failures)
        {
            table.Row(failure.Arn, failure.Reason, failure.Detail);
        }

        output.Write(table);
    }
}
