namespace Orchestrator.ControlPlane.State;

/// <summary>
/// A target group of the built-in load balancer (ELBv2's shape, reduced): the services whose <c>loadBalancers</c> name it
/// register their tasks' host address and port in it; listeners forward to it. Keyed by name.
/// </summary>
public sealed record TargetGroupRecord
{
    public required string Name { get; init; }
    public required string Arn { get; init; }
    /// <summary>HTTP or TCP: what its targets speak (TCP groups take TCP listeners only).</summary>
    public required string Protocol { get; init; }
    /// <summary>The HTTP path the balancer asks each target for (HTTP groups); a 2xx or 3xx answer is healthy.</summary>
    public string HealthPath { get; init; } = "/";
    public int HealthIntervalSeconds { get; init; } = 30;
    public int HealthTimeoutSeconds { get; init; } = 5;
    /// <summary>Failed checks in a row that take a target out of rotation.</summary>
    public int UnhealthyThreshold { get; init; } = 2;
    /// <summary>How long a target is drained (out of rotation, its requests finishing) before its task is stopped.</summary>
    public int DeregistrationDelaySeconds { get; init; } = 300;
    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>
/// A listener rule of the built-in load balancer: requests (HTTP) or connections (TCP) to <see cref="Port"/> go to
/// <see cref="TargetGroup"/>; HTTP rules may also match a host name and a path pattern. Keyed by ARN.
/// </summary>
public sealed record ListenerRecord
{
    public required string Arn { get; init; }
    public required int Port { get; init; }
    public required string Protocol { get; init; }
    public string? Host { get; init; }
    public string? Path { get; init; }
    /// <summary>The target group's name.</summary>
    public required string TargetGroup { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}
