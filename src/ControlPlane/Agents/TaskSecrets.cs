using Orchestrator.Contracts.Agent;
using Orchestrator.ControlPlane.Security;
using Orchestrator.ControlPlane.State;
using Orchestrator.ControlPlane.Tasks;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Agents;

/// <summary>
/// A task's secrets, resolved from the <see cref="SecretStore"/> when its RunTask is sent (each send: a task started
/// after <c>orch secret put</c> gets the new value). A task naming a secret that cannot be had never reaches its agent:
/// it stops with ECS's <c>ResourceInitializationError</c> naming the secret.
/// </summary>
public sealed class TaskSecrets(SecretStore store, TaskRoleCredentials? roles = null)
{
    /// <summary>
    /// What <see cref="Resolve(TaskDefinition, out string?)"/> gives, and for a task with a task role new short-lived
    /// keys (<see cref="TaskRoleCredentials"/>); null and the stopped reason when anything cannot be had.
    /// </summary>
    public ResolvedSecrets? Resolve(TaskRecord task, TaskDefinition definition, out string? failure)
    {
        ArgumentNullException.ThrowIfNull(task);
        var resolved = Resolve(definition, out failure);
        if (resolved is null || roles is null || TaskRoleCredentials.RoleOf(task, definition) is null)
        {
            return resolved;
        }

        var credentials = roles.Issue(task, definition, out var problem);
        if (credentials is null)
        {
            failure = problem;
            return null;
        }

        return resolved with { Credentials = credentials };
    }

    public const string FailurePrefix = "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: ";

    /// <summary>
    /// The values for every container's secrets and the registry login of every container with
    /// <c>repositoryCredentials</c>; null and the stopped reason when any cannot be resolved.
    /// </summary>
    public ResolvedSecrets? Resolve(TaskDefinition definition, out string? failure)
    {
        ArgumentNullException.ThrowIfNull(definition);
        failure = null;
        var values = new List<SecretValue>();
        var logins = new List<RegistryCredentials>();
        var logOptions = new List<SecretValue>();
        var problems = new List<string>();
        void Add(List<SecretValue> into, string? container, string? name, string? valueFrom)
        {
            if (store.Resolve(valueFrom ?? "", out var problem) is { } value)
            {
                into.Add(new SecretValue { ContainerName = container ?? "", Name = name ?? "", Value = value });
            }
            else if (!problems.Contains(problem))
            {
                problems.Add(problem);
            }
        }

        foreach (var container in definition.ContainerDefinitions)
        {
            foreach (var secret in container.Secrets ?? [])
            {
                Add(values, container.Name, secret.Name, secret.ValueFrom);
            }

            foreach (var option in container.LogConfiguration?.SecretOptions ?? [])
            {
                Add(logOptions, container.Name, option.Name, option.ValueFrom);
            }

            if (container.RepositoryCredentials?.CredentialsParameter is { Length: > 0 } parameter)
            {
                if (Login(parameter, out var problem) is { } login)
                {
                    login.ContainerName = container.Name ?? "";
                    logins.Add(login);
                }
                else if (!problems.Contains(problem))
                {
                    problems.Add(problem);
                }
            }
        }

        if (problems.Count > 0)
        {
            failure = Ecs.EcsText.Cut(FailurePrefix + string.Join("; ", problems), 1000);
            return null;
        }

        return new ResolvedSecrets(values, logins) { LogOptions = logOptions };
    }

    /// <summary>
    /// The registry login a <c>credentialsParameter</c> names: its secret's value is ECS's JSON object with string
    /// members <c>username</c> and <c>password</c>. The problem names the secret, never its value.
    /// </summary>
    private RegistryCredentials? Login(string parameter, out string problem)
    {
        if (store.Resolve(parameter, out problem) is not { } value)
        {
            return null;
        }

        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(value);
            var root = document.RootElement;
            if (root.ValueKind == System.Text.Json.JsonValueKind.Object
                && root.TryGetProperty("username", out var username) && username.ValueKind == System.Text.Json.JsonValueKind.String
                && root.TryGetProperty("password", out var password) && password.ValueKind == System.Text.Json.JsonValueKind.String
                && username.GetString() is { Length: > 0 } user)
            {
                return new RegistryCredentials { Username = user, Password = password.GetString() ?? "" };
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // not JSON: the same answer as JSON without the members
        }

        problem = $"registry credentials secret {parameter}: the value must be a JSON object with string members username and password";
        return null;
    }

    /// <summary>The task stopped before any agent ran it, with <paramref name="reason"/>.</summary>
    public static TaskRecord FailedToStart(TaskRecord task, string reason, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(task);
        return task with
        {
            AwaitingAgentStop = false,
            Task = TaskAttachments.Deleted(task.Task) with
            {
                DesiredStatus = TaskStatus.Stopped,
                LastStatus = TaskStatus.Stopped,
                StopCode = TaskStopCode.TaskFailedToStart,
                StoppedReason = reason,
                StoppingAt = task.Task.StoppingAt ?? now,
                ExecutionStoppedAt = now,
                StoppedAt = now,
                Containers = [.. task.Task.Containers.Select(c => c with { LastStatus = TaskStatus.Stopped, Reason = reason })],
                Version = task.Task.Version + 1,
            },
        };
    }
}

/// <summary>
/// What a task's agent is given from the secret store at launch: its containers' secret variables, registry logins and
/// log driver secret options.
/// Lives only in the RunTask message; <see cref="ToString"/> leaves every value out.
/// </summary>
public sealed record ResolvedSecrets(IReadOnlyList<SecretValue> Values, IReadOnlyList<RegistryCredentials> RegistryLogins)
{
    public static readonly ResolvedSecrets None = new([], []);

    /// <summary>The values of the containers' <c>logConfiguration.secretOptions</c> (name = the log driver option).</summary>
    public IReadOnlyList<SecretValue> LogOptions { get; init; } = [];

    /// <summary>The task role's keys (RunTask.credentials); null for a task without a role.</summary>
    public TaskCredentials? Credentials { get; init; }

    public override string ToString() => $"ResolvedSecrets {{ {Values.Count} values, {RegistryLogins.Count} registry logins, {LogOptions.Count} log options }}";
}
