using System.Text.RegularExpressions;
using Orchestrator.Ecs;

namespace Orchestrator.ControlPlane.LoadBalancing;

/// <summary>
/// Names and ARNs of the built-in load balancer, in ELBv2's shape: target groups
/// <c>arn:aws:elasticloadbalancing:REGION:ACCOUNT:targetgroup/NAME/ID</c> (NAME: 1-32 letters, digits and hyphens, not
/// starting or ending with a hyphen; ID: 16 hex digits), listeners <c>…:listener/app/orch/PORT/ID</c>.
/// </summary>
public static partial class LoadBalancerNames
{
    public const string Http = "HTTP";
    public const string Tcp = "TCP";

    public static string TargetGroupArn(Arns arns, string name, string id) =>
        $"arn:aws:elasticloadbalancing:{arns.Region}:{arns.Account}:targetgroup/{name}/{id}";

    public static string ListenerArn(Arns arns, int port, string id) =>
        $"arn:aws:elasticloadbalancing:{arns.Region}:{arns.Account}:listener/app/orch/{port}/{id}";

    public static string NewId() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));

    public static bool IsName(string? name) => name is not null && Name().IsMatch(name);

    /// <summary>The target group name a service's <c>targetGroupArn</c> names: a target group ARN's NAME, or a bare name; null otherwise.</summary>
    public static string? TargetGroupName(string? arnOrName)
    {
        if (arnOrName is null)
        {
            return null;
        }

        if (IsName(arnOrName))
        {
            return arnOrName;
        }

        var match = GroupArn().Match(arnOrName);
        return match.Success ? match.Groups[1].Value : null;
    }

    [GeneratedRegex("^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$")]
    private static partial Regex Name();

    [GeneratedRegex("^arn:aws:elasticloadbalancing:[a-z0-9-]+:[0-9]{12}:targetgroup/([A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?)/[0-9a-f]{16}$")]
    private static partial Regex GroupArn();
}
