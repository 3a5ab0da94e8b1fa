using System.CommandLine;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Cli.Commands;

/// <summary>The deployment settings shared by <c>service create</c> and <c>service update</c>.</summary>
internal sealed class DeploymentOptions
{
    private readonly Option<int?> _minimumHealthy = new("--min-healthy-percent") { Description = "Tasks that must stay healthy during a rollout, in % of the desired count" };
    private readonly Option<int?> _maximum = new("--max-percent") { Description = "Tasks that may run during a rollout, in % of the desired count" };
    private readonly Option<bool?> _circuitBreaker = new("--circuit-breaker") { Description = "Fail a rollout whose tasks keep failing" };
    private readonly Option<bool?> _rollback = new("--rollback") { Description = "With --circuit-breaker: roll back to the last completed deployment" };
    private readonly Option<TimeSpan?> _grace = DurationOption.Create("--health-check-grace-period", "Ignore failing health checks this long after a task starts");

    public void AddTo(Command command)
    {
        command.Options.Add(_minimumHealthy);
        command.Options.Add(_maximum);
        command.Options.Add(_circuitBreaker);
        command.Options.Add(_rollback);
        command.Options.Add(_grace);
    }

    /// <summary>The deployment configuration asked for; null when none of its options was given.</summary>
    public DeploymentConfiguration? Read(Invocation invocation)
    {
        var breaker = invocation.GetOptional(_circuitBreaker);
        var back = invocation.GetOptional(_rollback);
        var min = invocation.GetOptional(_minimumHealthy);
        var max = invocation.GetOptional(_maximum);
        if (breaker is null && back is null && min is null && max is null)
        {
            return null;
        }

        return new DeploymentConfiguration
        {
            MinimumHealthyPercent = min,
            MaximumPercent = max,
            DeploymentCircuitBreaker = breaker is null && back is null ? null : new DeploymentCircuitBreaker(breaker ?? back == true, back ?? false),
        };
    }

    public int? GracePeriod(Invocation invocation) =>
        invocation.GetOptional(_grace) is { } period ? (int)Math.Ceiling(period.TotalSeconds) : null;
}
