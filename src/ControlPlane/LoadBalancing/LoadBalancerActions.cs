using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs;

namespace Orchestrator.ControlPlane.LoadBalancing;

/// <summary>
/// The built-in load balancer's operations (`orch lb …` through ClusterApi.Call; names and members after ELBv2's):
/// target groups and listener rules, stored in the state, and the targets the balancer has now.
/// </summary>
public sealed class LoadBalancerActions(StateStore store, Arns arns, TimeProvider clock)
{
    public const int MaxDelaySeconds = 3600;

    public static readonly IReadOnlySet<string> Names = new HashSet<string>(StringComparer.Ordinal)
    {
        "CreateTargetGroup", "DescribeTargetGroups", "DeleteTargetGroup", "CreateListener", "DescribeListeners", "DeleteListener",
        "DescribeTargetHealth",
    };

    public static JsonSerializerOptions Json { get; } = new()
    {
        PropertyNameCaseInsensitive = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public async Task<string> InvokeAsync(string action, string json, CancellationToken cancellationToken)
    {
        object response = action switch
        {
            "CreateTargetGroup" => await CreateTargetGroupAsync(Read<TargetGroupInput>(json), cancellationToken).ConfigureAwait(false),
            "DescribeTargetGroups" => DescribeTargetGroups(Read<NamesInput>(json)),
            "DeleteTargetGroup" => await DeleteTargetGroupAsync(Read<NamesInput>(json), cancellationToken).ConfigureAwait(false),
            "CreateListener" => await CreateListenerAsync(Read<ListenerInput>(json), cancellationToken).ConfigureAwait(false),
            "DescribeListeners" => DescribeListeners(),
            "DeleteListener" => await DeleteListenerAsync(Read<ListenerArnInput>(json), cancellationToken).ConfigureAwait(false),
            "DescribeTargetHealth" => DescribeTargetHealth(Read<NamesInput>(json)),
            _ => throw EcsException.InvalidParameter($"Unknown load balancer operation {EcsText.Cut(action, 64)}."),
        };
        return JsonSerializer.Serialize(response, response.GetType(), Json);
    }

    public async Task<TargetGroupsOutput> CreateTargetGroupAsync(TargetGroupInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!LoadBalancerNames.IsName(input.Name))
        {
            throw EcsException.InvalidParameter("Name must be 1-32 letters, digits and hyphens, not starting or ending with a hyphen.");
        }

        var protocol = (input.Protocol ?? LoadBalancerNames.Http).ToUpperInvariant();
        if (protocol is not (LoadBalancerNames.Http or LoadBalancerNames.Tcp))
        {
            throw EcsException.InvalidParameter($"Protocol must be HTTP or TCP, not {EcsText.Cut(input.Protocol)}.");
        }

        var path = input.HealthCheckPath ?? "/";
        if (!path.StartsWith('/') || path.Length > 1024 || path.Any(c => char.IsControl(c) || c == ' '))
        {
            throw EcsException.InvalidParameter("HealthCheckPath must start with / and have no spaces (at most 1024 characters).");
        }

        var interval = Range(input.HealthCheckIntervalSeconds, 30, 1, 300, "HealthCheckIntervalSeconds");
        var timeout = Range(input.HealthCheckTimeoutSeconds, Math.Min(5, interval), 1, 120, "HealthCheckTimeoutSeconds");
        if (timeout > interval)
        {
            throw EcsException.InvalidParameter("HealthCheckTimeoutSeconds must not be greater than HealthCheckIntervalSeconds.");
        }

        var record = new TargetGroupRecord
        {
            Name = input.Name!,
            Arn = LoadBalancerNames.TargetGroupArn(arns, input.Name!, LoadBalancerNames.NewId()),
            Protocol = protocol,
            HealthPath = path,
            HealthIntervalSeconds = interval,
            HealthTimeoutSeconds = timeout,
            UnhealthyThreshold = Range(input.UnhealthyThresholdCount, 2, 1, 10, "UnhealthyThresholdCount"),
            DeregistrationDelaySeconds = Range(input.DeregistrationDelaySeconds, 300, 0, MaxDelaySeconds, "DeregistrationDelaySeconds"),
            CreatedAt = clock.GetUtcNow(),
        };
        var stored = await store.WriteAsync(tx =>
        {
            if (tx.State.TargetGroups.GetValueOrDefault(record.Name) is { } existing)
            {
                // ELBv2: creating the same group again answers with it; different settings are a conflict.
                return Same(existing, record) ? existing : throw EcsException.InvalidParameter($"A target group named {record.Name} already exists with different settings.");
            }

            tx.Put(record);
            return record;
        }, cancellationToken).ConfigureAwait(false);
        return new TargetGroupsOutput([View(stored)]);
    }

    public TargetGroupsOutput DescribeTargetGroups(NamesInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var state = store.Current;
        if (input.Names is not { Count: > 0 } names)
        {
            return new TargetGroupsOutput(state.TargetGroups.Values.Select(View).ToList());
        }

        return new TargetGroupsOutput(names.Select(n => View(Group(state, n))).ToList());
    }

    public async Task<object> DeleteTargetGroupAsync(NamesInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Names is not [var name])
        {
            throw EcsException.InvalidParameter("Name one target group to delete.");
        }

        await store.WriteAsync(tx =>
        {
            var group = Group(tx.State, name);
            if (tx.State.Listeners.Values.FirstOrDefault(l => l.TargetGroup == group.Name) is { } listener)
            {
                throw EcsException.InvalidParameter($"Target group {group.Name} is in use by listener {listener.Arn}.");
            }

            if (tx.State.Services.Values.FirstOrDefault(s => s.Status == Ecs.Model.ServiceStatus.Active &&
                    s.LoadBalancers.Any(b => LoadBalancerNames.TargetGroupName(b.TargetGroupArn) == group.Name)) is { } service)
            {
                throw EcsException.InvalidParameter($"Target group {group.Name} is in use by service {service.Name}.");
            }

            tx.Delete(group);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        return new { };
    }

    public async Task<ListenersOutput> CreateListenerAsync(ListenerInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Port is not (>= 1 and <= 65535))
        {
            throw EcsException.InvalidParameter("Port must be between 1 and 65535.");
        }

        var protocol = (input.Protocol ?? LoadBalancerNames.Http).ToUpperInvariant();
        if (protocol is not (LoadBalancerNames.Http or LoadBalancerNames.Tcp))
        {
            throw EcsException.InvalidParameter($"Protocol must be HTTP or TCP, not {EcsText.Cut(input.Protocol)}.");
        }

        if (protocol == LoadBalancerNames.Tcp && (input.Host is not null || input.Path is not null))
        {
            throw EcsException.InvalidParameter("A TCP listener forwards every connection: Host and Path apply to HTTP listeners only.");
        }

        if (input.Host is { } host && (host.Length is 0 or > 253 || !host.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '*')))
        {
            throw EcsException.InvalidParameter("Host must be a host name (letters, digits, dots, hyphens; * as a wildcard).");
        }

        if (input.Path is { } path && (!path.StartsWith('/') || path.Length > 128 || path.Any(c => char.IsControl(c) || c is ' ' or '{' or '}')))
        {
            throw EcsException.InvalidParameter("Path must start with / (at most 128 characters; a trailing * matches any rest).");
        }

        var record = await store.WriteAsync(tx =>
        {
            var group = Group(tx.State, input.TargetGroup ?? throw EcsException.InvalidParameter("TargetGroup is required."));
            if (group.Protocol != protocol)
            {
                throw EcsException.InvalidParameter($"Target group {group.Name} speaks {group.Protocol}; a {protocol} listener cannot forward to it.");
            }

            var onPort = tx.State.Listeners.Values.Where(l => l.Port == input.Port).ToList();
            if (onPort.Any(l => l.Protocol != protocol) || (protocol == LoadBalancerNames.Tcp && onPort.Count > 0))
            {
                throw EcsException.InvalidParameter($"Port {input.Port} already has a listener{(protocol == LoadBalancerNames.Tcp ? "" : " of another protocol")}.");
            }

            if (onPort.Any(l => l.Host == input.Host && l.Path == input.Path))
            {
                throw EcsException.InvalidParameter($"Port {input.Port} already has a rule for this host and path.");
            }

            var listener = new ListenerRecord
            {
                Arn = LoadBalancerNames.ListenerArn(arns, input.Port.Value, LoadBalancerNames.NewId()),
                Port = input.Port.Value,
                Protocol = protocol,
                Host = input.Host,
                Path = input.Path,
                TargetGroup = group.Name,
                CreatedAt = clock.GetUtcNow(),
            };
            tx.Put(listener);
            return listener;
        }, cancellationToken).ConfigureAwait(false);
        return new ListenersOutput([View(record)]);
    }

    public ListenersOutput DescribeListeners() =>
        new(store.Current.Listeners.Values.OrderBy(l => l.Port).ThenBy(l => l.CreatedAt).Select(View).ToList());

    public async Task<object> DeleteListenerAsync(ListenerArnInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        await store.WriteAsync(tx =>
        {
            var listener = tx.State.Listeners.GetValueOrDefault(input.ListenerArn ?? "")
                ?? throw EcsException.InvalidParameter($"Listener '{EcsText.Cut(input.ListenerArn ?? "")}' not found.");
            tx.Delete(listener);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        return new { };
    }

    public TargetHealthOutput DescribeTargetHealth(NamesInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var state = store.Current;
        var group = Group(state, input.Names is [var name] ? name : throw EcsException.InvalidParameter("Name one target group."));
        var targets = LoadBalancerTargets.All(state)[group.Name];
        var draining = state.Tasks.Values
            .Where(t => t.DrainingUntil is not null && state.ServicesIn(t.ClusterName).Any(s => s.TaskGroup == t.Task.Group &&
                s.LoadBalancers.Any(b => LoadBalancerNames.TargetGroupName(b.TargetGroupArn) == group.Name)))
            .Select(t => new TargetHealthView(t.Id, t.Arn, null, null, "draining"));
        return new TargetHealthOutput(targets.Select(t => new TargetHealthView(t.TaskId, t.TaskArn, t.Address, t.Port, "registered")).Concat(draining).ToList());
    }

    public static TargetGroupView View(TargetGroupRecord g) => new(g.Arn, g.Name, g.Protocol, g.HealthPath, g.HealthIntervalSeconds,
        g.HealthTimeoutSeconds, g.UnhealthyThreshold, g.DeregistrationDelaySeconds);

    public static ListenerView View(ListenerRecord l) => new(l.Arn, l.Port, l.Protocol, l.Host, l.Path, l.TargetGroup);

    private static TargetGroupRecord Group(StateSnapshot state, string nameOrArn) =>
        LoadBalancerNames.TargetGroupName(nameOrArn) is { } name && state.TargetGroups.GetValueOrDefault(name) is { } group &&
        (nameOrArn == name || nameOrArn == group.Arn)
            ? group
            : throw EcsException.InvalidParameter($"Target group '{EcsText.Cut(nameOrArn)}' not found.");

    private static bool Same(TargetGroupRecord a, TargetGroupRecord b) => a with { Arn = b.Arn, CreatedAt = b.CreatedAt } == b;

    private static int Range(int? value, int fallback, int min, int max, string member) =>
        value switch
        {
            null => fallback,
            { } v when v >= min && v <= max => v,
            _ => throw EcsException.InvalidParameter($"{member} must be between {min.ToString(CultureInfo.InvariantCulture)} and {max.ToString(CultureInfo.InvariantCulture)}."),
        };

    private static T Read<T>(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(string.IsNullOrWhiteSpace(json) ? "{}" : json, Json)
                ?? throw EcsException.InvalidParameter("The request body must be a JSON object.");
        }
        catch (JsonException e)
        {
            throw EcsException.InvalidParameter($"The request is not valid JSON of the expected shape{(e.Path is { Length: > 0 } path ? $" at {EcsText.Cut(path, 100)}" : "")}.");
        }
    }
}

public sealed record TargetGroupInput
{
    public string? Name { get; init; }
    public string? Protocol { get; init; }
    public string? HealthCheckPath { get; init; }
    public int? HealthCheckIntervalSeconds { get; init; }
    public int? HealthCheckTimeoutSeconds { get; init; }
    public int? UnhealthyThresholdCount { get; init; }
    public int? DeregistrationDelaySeconds { get; init; }
}

public sealed record NamesInput
{
    /// <summary>Target group names or ARNs.</summary>
    public IReadOnlyList<string>? Names { get; init; }
}

public sealed record ListenerInput
{
    public int? Port { get; init; }
    public string? Protocol { get; init; }
    public string? Host { get; init; }
    public string? Path { get; init; }
    /// <summary>The target group's name or ARN.</summary>
    public string? TargetGroup { get; init; }
}

public sealed record ListenerArnInput
{
    public string? ListenerArn { get; init; }
}

public sealed record TargetGroupView(string TargetGroupArn, string TargetGroupName, string Protocol, string HealthCheckPath,
    int HealthCheckIntervalSeconds, int HealthCheckTimeoutSeconds, int UnhealthyThresholdCount, int DeregistrationDelaySeconds);

public sealed record TargetGroupsOutput(IReadOnlyList<TargetGroupView> TargetGroups);

public sealed record ListenerView(string ListenerArn, int Port, string Protocol, string? Host, string? Path, string TargetGroup);

public sealed record ListenersOutput(IReadOnlyList<ListenerView> Listeners);

public sealed record TargetHealthView(string TaskId, string TaskArn, string? Address, int? Port, string State);

public sealed record TargetHealthOutput(IReadOnlyList<TargetHealthView> Targets);
