using System.CommandLine;
using System.Globalization;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Cli.Commands;

/// <summary>
/// <c>--load-balancer targetGroupArn=web,containerName=main,containerPort=80</c>: ECS's loadBalancers in the AWS CLI's
/// shorthand, naming a target group of the built-in balancer (`orch lb target-group create`).
/// </summary>
internal static class LoadBalancerOption
{
    public static Option<LoadBalancer[]> Create() => Shorthand.Option(
        "--load-balancer",
        "targetGroupArn=NAME|ARN,containerName=C,containerPort=P: register the tasks' port P of container C in the target group",
        ["targetGroupArn", "containerName", "containerPort"],
        v => new LoadBalancer
        {
            TargetGroupArn = v.GetValueOrDefault("targetGroupArn"),
            ContainerName = v.GetValueOrDefault("containerName"),
            ContainerPort = !v.TryGetValue("containerPort", out var text) ? null
                : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) ? port
                : throw new FormatException($"containerPort must be a number, not '{text}'"),
        });

    public static IReadOnlyList<LoadBalancer>? Read(Invocation invocation, Option<LoadBalancer[]> option) =>
        invocation.GetOptional(option) is { Length: > 0 } balancers ? balancers : null;
}
