using Orchestrator.Ecs.Model;

namespace Orchestrator.Cli.Output;

internal static class ServiceView
{
    public static void Table(CommandOutput output, IEnumerable<Service> services)
    {
        var table = Tables.Create("NAME", "STATUS", "STRATEGY", "DESIRED", "RUNNING", "PENDING", "DEFINITION", "DEPLOYMENTS");
        foreach (var service in services)
        {
            table.Row(
                service.ServiceName,
                service.Status,
                service.SchedulingStrategy,
                Formats.Number(service.DesiredCount),
                Formats.Number(service.RunningCount),
                Formats.Number(service.PendingCount),
                service.TaskDefinition is null ? null : Formats.Definition(service.TaskDefinition),
                Deployments(service));
        }

        output.Write(table);
    }

    public static void Detail(CommandOutput output, Service service, int events = 5)
    {
        var configuration = service.DeploymentConfiguration;
        output.Write(Tables.Details(
        [
            ("Service", service.ServiceArn),
            ("Status", service.Status),
            ("Strategy", service.SchedulingStrategy),
            ("Task definition", service.TaskDefinition is null ? null : Formats.Definition(service.TaskDefinition)),
            ("Desired / running / pending", $"{service.DesiredCount} / {service.RunningCount} / {service.PendingCount}"),
            ("Min healthy / max percent", $"{configuration?.MinimumHealthyPercent}% / {configuration?.MaximumPercent}%"),
            ("Circuit breaker", configuration?.DeploymentCircuitBreaker is { Enable: true } breaker ? (breaker.Rollback ? "on, with rollback" : "on") : "off"),
            ("Health check grace", $"{service.HealthCheckGracePeriodSeconds ?? 0}s"),
            ("Created", Formats.LocalTime(service.CreatedAt, output.LocalTimeZone)),
        ]));
        output.Line();
        var table = Tables.Create("DEPLOYMENT", "STATUS", "DEFINITION", "DESIRED", "RUNNING", "PENDING", "FAILED", "ROLLOUT");
        foreach (var deployment in service.Deployments)
        {
            table.Row(
                deployment.Id,
                deployment.Status,
                Formats.Definition(deployment.TaskDefinition),
                Formats.Number(deployment.DesiredCount),
                Formats.Number(deployment.RunningCount),
                Formats.Number(deployment.PendingCount),
                Formats.Number(deployment.FailedTasks),
                deployment.RolloutState);
        }

        output.Write(table);
        if (events > 0 && service.Events.Count > 0)
        {
            output.Line();
            Events(output, service.Events.Take(events));
        }
    }

    public static void Events(CommandOutput output, IEnumerable<ServiceEvent> events)
    {
        var table = Tables.Create("TIME", "EVENT");
        foreach (var e in events)
        {
            table.Row(Formats.LocalTime(e.CreatedAt, output.LocalTimeZone), e.Message);
        }

        output.Write(table);
    }

    /// <summary>A one-line summary of the rollout, e.g. <c>web:2 3/4 IN_PROGRESS, web:1 1</c>.</summary>
    public static string Deployments(Service service) => string.Join(", ", service.Deployments.Select(d =>
        d.Status == DeploymentStatus.Primary
            ? $"{Formats.Definition(d.TaskDefinition)} {d.RunningCount}/{d.DesiredCount} {d.RolloutState}"
            : $"{Formats.Definition(d.TaskDefinition)} {d.RunningCount}"));
}
