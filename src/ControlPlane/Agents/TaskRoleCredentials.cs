using Google.Protobuf.WellKnownTypes;
using Orchestrator.Contracts.Agent;
using Orchestrator.ControlPlane.Security;
using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Agents;

/// <summary>
/// Keys for a task with a task role (<c>overrides.taskRoleArn</c>, else the task definition's), issued by the
/// <see cref="TaskCredentialStore"/> when its RunTask is sent and again by <see cref="TaskCredentialRotation"/> before
/// they expire. A role that does not exist (deleted since RunTask checked it) stops the task with a reason naming it.
/// </summary>
public sealed class TaskRoleCredentials(RoleStore roles, TaskCredentialStore credentials)
{
    public const string FailurePrefix = "ResourceInitializationError: unable to get task role credentials: ";

    /// <summary>The role a task runs with; null for none.</summary>
    public static string? RoleOf(TaskRecord task, TaskDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(definition);
        return task.Task.Overrides?.TaskRoleArn is { Length: > 0 } overridden ? overridden
            : definition.TaskRoleArn is { Length: > 0 } role ? role
            : null;
    }

    /// <summary>New keys for the task's role; null and why when the role is gone.</summary>
    public TaskCredentials? Issue(TaskRecord task, TaskDefinition definition, out string? failure)
    {
        failure = null;
        var reference = RoleOf(task, definition);
        if (reference is null)
        {
            return null;
        }

        if (roles.Find(reference) is not { } role)
        {
            failure = FailurePrefix + $"role {Ecs.EcsText.Cut(reference, 200)} not found";
            return null;
        }

        return Message(credentials.Issue(task.Arn, role.Role.Arn));
    }

    public static TaskCredentials Message(IssuedCredentials issued)
    {
        ArgumentNullException.ThrowIfNull(issued);
        return new TaskCredentials
        {
            TaskArn = issued.TaskArn,
            RoleArn = issued.RoleArn,
            AccessKeyId = issued.AccessKeyId,
            SecretAccessKey = issued.SecretAccessKey,
            SessionToken = issued.SessionToken,
            Expiration = Timestamp.FromDateTimeOffset(issued.Expiration),
        };
    }
}
