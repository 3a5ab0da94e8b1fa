using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Json;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Schedules;

/// <summary>
/// EventBridge Scheduler's schedule operations (CreateSchedule, GetSchedule, UpdateSchedule, DeleteSchedule,
/// ListSchedules) over the state store, plus this project's GetScheduleHistory. Requests and answers are the
/// scheduler's JSON documents; errors are <see cref="EcsException"/>s carrying the scheduler's error types.
/// </summary>
public sealed partial class ScheduleActions(StateStore store, Arns arns, TimeProvider clock)
{
    public const string ValidationException = "ValidationException";
    public const string ResourceNotFoundException = "ResourceNotFoundException";
    public const string ConflictException = "ConflictException";
    public const string DefaultGroup = "default";

    /// <summary>The actions by name, as the gRPC cluster API and the HTTP front end pass them.</summary>
    public static readonly IReadOnlySet<string> Names = new HashSet<string>(StringComparer.Ordinal)
    {
        "CreateSchedule", "GetSchedule", "UpdateSchedule", "DeleteSchedule", "ListSchedules", "GetScheduleHistory",
    };

    /// <summary>Runs an action on its request document and returns its answer document.</summary>
    public async Task<string> InvokeAsync(string action, string json, CancellationToken cancellationToken)
    {
        object response = action switch
        {
            "CreateSchedule" => await CreateAsync(Read<ScheduleInput>(json), cancellationToken).ConfigureAwait(false),
            "UpdateSchedule" => await UpdateAsync(Read<ScheduleInput>(json), cancellationToken).ConfigureAwait(false),
            "DeleteSchedule" => await DeleteAsync(Read<ScheduleNameInput>(json), cancellationToken).ConfigureAwait(false),
            "GetSchedule" => Get(Read<ScheduleNameInput>(json)),
            "ListSchedules" => List(Read<ListSchedulesInput>(json)),
            "GetScheduleHistory" => History(Read<ScheduleNameInput>(json)),
            _ => throw new EcsException(EcsErrors.UnknownOperation, $"Unknown scheduler operation {EcsText.Cut(action, 64)}."),
        };
        return JsonSerializer.Serialize(response, response.GetType(), SchedulerJson.Options);
    }

    public async Task<ScheduleArnOutput> CreateAsync(ScheduleInput input, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var definition = Validate(input, now, now);
        var record = new ScheduleRecord(definition.Arn!, definition.Name!, definition.GroupName!, ToElement(definition));
        await store.WriteAsync(tx =>
        {
            if (tx.State.Schedules.ContainsKey(record.Key))
            {
                throw new EcsException(ConflictException, $"Schedule {record.Name} already exists.");
            }

            tx.Put(record);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        return new ScheduleArnOutput(record.Arn);
    }

    /// <summary>Replaces the whole schedule, as EventBridge does: members left out go back to their defaults.</summary>
    public async Task<ScheduleArnOutput> UpdateAsync(ScheduleInput input, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        return await store.WriteAsync(tx =>
        {
            var existing = Find(tx.State, input.Name, input.GroupName);
            var created = Definition(existing).CreationDate ?? now;
            var definition = Validate(input, created, now);
            tx.Put(existing with { Definition = ToElement(definition) });
            return new ScheduleArnOutput(existing.Arn);
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<object> DeleteAsync(ScheduleNameInput input, CancellationToken cancellationToken)
    {
        await store.WriteAsync(tx =>
        {
            tx.Delete(Find(tx.State, input.Name, input.GroupName));
            return true;
        }, cancellationToken).ConfigureAwait(false);
        return new Dictionary<string, string>();
    }

    public ScheduleOutput Get(ScheduleNameInput input) => Definition(Find(store.Current, input.Name, input.GroupName));

    public ScheduleHistoryOutput History(ScheduleNameInput input)
    {
        var record = Find(store.Current, input.Name, input.GroupName);
        var next = ScheduleTiming.Of(Definition(record)) is { } timing ? timing.Due(record, clock.GetUtcNow()) : null;
        return new ScheduleHistoryOutput(record.Arn, next, [.. record.History.Reverse()]);
    }

    public ListSchedulesOutput List(ListSchedulesInput input)
    {
        var max = input.MaxResults ?? 100;
        if (max is < 1 or > 100)
        {
            throw Invalid("MaxResults must be between 1 and 100.");
        }

        if (input.State is not null and not ("ENABLED" or "DISABLED"))
        {
            throw Invalid("State must be ENABLED or DISABLED.");
        }

        CheckGroup(input.GroupName ?? DefaultGroup);
        string? after = null;
        if (input.NextToken is { } token)
        {
            try
            {
                after = Encoding.UTF8.GetString(Convert.FromHexString(token));
            }
            catch (FormatException)
            {
                throw Invalid("NextToken is not a token this API gave.");
            }
        }

        var page = store.Current.Schedules.Values
            .Where(r => after is null || string.CompareOrdinal(r.Key, after) > 0)
            .Where(r => input.NamePrefix is null || r.Name.StartsWith(input.NamePrefix, StringComparison.Ordinal))
            .Select(r => (Record: r, Definition: Definition(r)))
            .Where(p => input.State is null || p.Definition.State == input.State)
            .Take(max + 1)
            .ToList();
        var more = page.Count > max;
        var shown = page.Take(max).ToList();
        return new ListSchedulesOutput(
            [.. shown.Select(p => new ScheduleSummary
            {
                Arn = p.Record.Arn,
                Name = p.Record.Name,
                GroupName = p.Record.GroupName,
                State = p.Definition.State,
                CreationDate = p.Definition.CreationDate,
                LastModificationDate = p.Definition.LastModificationDate,
                Target = new TargetSummary(p.Definition.Target?.Arn),
            })],
            more ? Convert.ToHexStringLower(Encoding.UTF8.GetBytes(shown[^1].Record.Key)) : null);
    }

    /// <summary>The schedule as stored (the scheduler's JSON).</summary>
    public static ScheduleOutput Definition(ScheduleRecord record) =>
        record.Definition.Deserialize<ScheduleOutput>(SchedulerJson.Options) ?? throw new InvalidOperationException($"Schedule {record.Key} has no definition.");

    public string ScheduleArn(string group, string name) => $"arn:aws:scheduler:{arns.Region}:{arns.Account}:schedule/{group}/{name}";

    private ScheduleRecord Find(StateSnapshot state, string? name, string? group)
    {
        CheckName(name);
        CheckGroup(group ?? DefaultGroup);
        return state.Schedules.GetValueOrDefault(ScheduleRecord.KeyOf(group ?? DefaultGroup, name!))
            ?? throw new EcsException(ResourceNotFoundException, $"Schedule {name} does not exist.");
    }

    /// <summary>Checks a Create/UpdateSchedule request and returns the schedule as it is stored and answered.</summary>
    internal ScheduleOutput Validate(ScheduleInput input, DateTimeOffset created, DateTimeOffset now)
    {
        CheckName(input.Name);
        var group = input.GroupName ?? DefaultGroup;
        CheckGroup(group);
        var expression = input.ScheduleExpression ?? throw Invalid("ScheduleExpression is required.");
        if (expression.Length > 256)
        {
            throw Invalid("ScheduleExpression must be at most 256 characters.");
        }

        try
        {
            ScheduleExpression.Parse(expression);
        }
        catch (FormatException e)
        {
            throw Invalid($"Invalid Schedule Expression {EcsText.Cut(expression, 64)}: {e.Message}");
        }

        var zone = input.ScheduleExpressionTimezone;
        if (zone is not null)
        {
            _ = ScheduleTiming.FindZone(zone) ?? throw Invalid($"Invalid ScheduleExpressionTimezone {EcsText.Cut(zone, 50)}: not a time zone name such as UTC or Europe/Paris.");
        }

        if (input.StartDate is { } start && input.EndDate is { } end && end <= start)
        {
            throw Invalid("EndDate must be after StartDate.");
        }

        if (input.EndDate is { } endDate && endDate <= now)
        {
            throw Invalid("EndDate must be in the future.");
        }

        var state = input.State ?? "ENABLED";
        if (state is not ("ENABLED" or "DISABLED"))
        {
            throw Invalid("State must be ENABLED or DISABLED.");
        }

        if (input.Description is { Length: > 512 })
        {
            throw Invalid("Description must be at most 512 characters.");
        }

        if (input.ActionAfterCompletion is not (null or "NONE" or "DELETE"))
        {
            throw Invalid("ActionAfterCompletion must be NONE or DELETE.");
        }

        var window = input.FlexibleTimeWindow ?? throw Invalid("FlexibleTimeWindow is required (Mode OFF or FLEXIBLE).");
        switch (window.Mode)
        {
            case "OFF" when window.MaximumWindowInMinutes is null:
                break;
            case "OFF":
                throw Invalid("FlexibleTimeWindow.MaximumWindowInMinutes is only allowed with Mode FLEXIBLE.");
            case "FLEXIBLE" when window.MaximumWindowInMinutes is >= 1 and <= 1440:
                break; // accepted; runs at the scheduled time, as OFF does
            case "FLEXIBLE":
                throw Invalid("FlexibleTimeWindow.MaximumWindowInMinutes must be between 1 and 1440 with Mode FLEXIBLE.");
            default:
                throw Invalid("FlexibleTimeWindow.Mode must be OFF or FLEXIBLE.");
        }

        var target = ValidateTarget(input.Target ?? throw Invalid("Target is required."));
        return new ScheduleOutput
        {
            Arn = ScheduleArn(group, input.Name!),
            Name = input.Name,
            GroupName = group,
            ScheduleExpression = expression,
            ScheduleExpressionTimezone = zone ?? "UTC",
            StartDate = input.StartDate,
            EndDate = input.EndDate,
            State = state,
            Description = input.Description,
            FlexibleTimeWindow = window,
            Target = target,
            ActionAfterCompletion = input.ActionAfterCompletion ?? "NONE",
            KmsKeyArn = input.KmsKeyArn,
            CreationDate = created,
            LastModificationDate = now,
        };
    }

    private ScheduleTarget ValidateTarget(ScheduleTarget target)
    {
        if (target.SqsParameters is not null || target.KinesisParameters is not null || target.EventBridgeParameters is not null || target.SageMakerPipelineParameters is not null)
        {
            throw Invalid("Only ECS targets (Target.EcsParameters on a cluster ARN) are supported by this control plane.");
        }

        var arn = target.Arn ?? throw Invalid("Target.Arn is required.");
        if (!Arns.TryParse(arn, out var parsed) || parsed.ResourceType != "cluster" || parsed.Path.Count != 1)
        {
            throw Invalid($"Target.Arn {EcsText.Cut(arn, 100)} is not an ECS cluster ARN (arn:aws:ecs:{arns.Region}:{arns.Account}:cluster/NAME).");
        }

        if (parsed.Region != arns.Region || parsed.Account != arns.Account)
        {
            throw Invalid($"Target.Arn must be a cluster of this control plane (region {arns.Region}, account {arns.Account}).");
        }

        if (target.RoleArn is null || !RoleArnPattern().IsMatch(target.RoleArn))
        {
            throw Invalid("Target.RoleArn is required and must be an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME); it is accepted, not enforced.");
        }

        var ecs = target.EcsParameters ?? throw Invalid("Target.EcsParameters is required for an ECS cluster target.");
        if (string.IsNullOrEmpty(ecs.TaskDefinitionArn) || ecs.TaskDefinitionArn.Length > 1600)
        {
            throw Invalid("Target.EcsParameters.TaskDefinitionArn is required.");
        }

        if (ecs.TaskCount is < 1 or > 10)
        {
            throw Invalid("Target.EcsParameters.TaskCount must be between 1 and 10.");
        }

        if (ecs.LaunchType is not (null or "EC2" or "EXTERNAL"))
        {
            throw Invalid($"Target.EcsParameters.LaunchType must be EC2 or EXTERNAL on this control plane, not {EcsText.Cut(ecs.LaunchType, 20)}.");
        }

        if (ecs.CapacityProviderStrategy is { Count: > 0 } strategy)
        {
            // Scheduler's own limits; whether the providers are the cluster's is RunTask's check at each firing.
            if (ecs.LaunchType is not null)
            {
                throw Invalid("Target.EcsParameters cannot have both LaunchType and CapacityProviderStrategy.");
            }

            if (strategy.Count > 6 || strategy.Any(i => i is null || i.CapacityProvider is not { Length: >= 1 and <= 255 } || i.Weight is < 0 or > 1000 || i.Base is < 0 or > 100_000))
            {
                throw Invalid("Target.EcsParameters.CapacityProviderStrategy allows at most 6 items, each with a capacityProvider of 1 to 255 characters, weight 0 to 1000 and base 0 to 100000.");
            }
        }

        if (ecs.PropagateTags is not null)
        {
            throw Invalid("Target.EcsParameters.PropagateTags is not supported by this control plane; list the tags in Target.EcsParameters.Tags.");
        }

        if (ecs.Group is { Length: 0 or > 255 })
        {
            throw Invalid("Target.EcsParameters.Group must be 1 to 255 characters.");
        }

        if (ecs.Tags is { Count: > 50 } || ecs.PlacementConstraints is { Count: > 10 } || ecs.PlacementStrategy is { Count: > 5 })
        {
            throw Invalid("Target.EcsParameters allows at most 50 Tags, 10 PlacementConstraints and 5 PlacementStrategy items.");
        }

        if (target.RetryPolicy is { } retry && (retry.MaximumEventAgeInSeconds is < 60 or > 86400 || retry.MaximumRetryAttempts is < 0 or > 185))
        {
            throw Invalid("Target.RetryPolicy: MaximumEventAgeInSeconds must be 60-86400 and MaximumRetryAttempts 0-185.");
        }

        if (target.Input is not null)
        {
            _ = ParseInput(target.Input);
        }

        return target;
    }

    /// <summary>
    /// Target.Input for an ECS target: RunTask's overrides as EventBridge passes them
    /// (<c>{"containerOverrides": [{"name": …, "command": […], "environment": […]}]}</c>).
    /// </summary>
    public static TaskOverride? ParseInput(string? input)
    {
        if (input is null)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(input, new JsonDocumentOptions { MaxDepth = 32 });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Invalid("Target.Input must be a JSON object of ECS RunTask overrides, such as {\"containerOverrides\": [...]}.");
            }

            return document.RootElement.Deserialize<TaskOverride>(EcsJson.Options);
        }
        catch (JsonException)
        {
            throw Invalid("Target.Input is not valid JSON of ECS RunTask overrides, such as {\"containerOverrides\": [{\"name\": \"app\", \"command\": [\"echo\", \"hi\"]}]}.");
        }
    }

    private static void CheckName(string? name)
    {
        if (name is null || !NamePattern().IsMatch(name))
        {
            throw Invalid("Name must be 1 to 64 letters, digits, '-', '_' or '.'.");
        }
    }

    /// <summary>Only the default schedule group exists: CreateScheduleGroup is not offered.</summary>
    private static void CheckGroup(string group)
    {
        if (!NamePattern().IsMatch(group))
        {
            throw Invalid("GroupName must be 1 to 64 letters, digits, '-', '_' or '.'.");
        }

        if (group != DefaultGroup)
        {
            throw new EcsException(ResourceNotFoundException, $"Schedule group {group} does not exist (this control plane has only the group 'default').");
        }
    }

    private static T Read<T>(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(string.IsNullOrWhiteSpace(json) ? "{}" : json, SchedulerJson.Options)
                ?? throw Invalid("The request body must be a JSON object.");
        }
        catch (JsonException e)
        {
            // The serializer's message names the member (and never quotes a value beyond the path).
            var unknown = UnknownMember().Match(e.Message);
            throw Invalid(unknown.Success
                ? $"The request has an unknown member '{unknown.Groups[1].Value}'{(e.Path is { Length: > 1 } at ? $" at {EcsText.Cut(at, 100)}" : "")}."
                : $"The request is not valid JSON of the expected shape{(e.Path is { Length: > 0 } path ? $" at {EcsText.Cut(path, 100)}" : "")}.");
        }
    }

    private static JsonElement ToElement(ScheduleOutput definition) => JsonSerializer.SerializeToElement(definition, SchedulerJson.Options);

    internal static EcsException Invalid(string message) => new(ValidationException, message);

    [GeneratedRegex("property '([A-Za-z0-9_]{1,64})' could not be mapped")]
    private static partial Regex UnknownMember();

    [GeneratedRegex("^[0-9a-zA-Z_.-]{1,64}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^arn:aws(-[a-z]+)?:iam::\d{12}:role\/[\w+=,.@\/-]+$")]
    private static partial Regex RoleArnPattern();
}
