using Orchestrator.Contracts.Agent;
using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Agents;

/// <summary>The commands the control plane sends to agents.</summary>
public static class ControlMessages
{
    /// <summary>
    /// The run command for a task, as its agent needs it: the task definition whole, overrides, GPUs and address, and
    /// the values of its secrets and registry logins (<see cref="TaskSecrets"/>): this message is the only place they travel.
    /// </summary>
    public static ControlMessage Run(TaskRecord task, TaskDefinition definition, ResolvedSecrets? secrets = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(definition);
        var run = new RunTask
        {
            TaskArn = task.Arn,
            ClusterArn = task.Task.ClusterArn,
            TaskDefinitionJson = Ecs.Json.EcsJson.Serialize(definition),
            OverridesJson = task.Task.Overrides is { } overrides ? Ecs.Json.EcsJson.Serialize(overrides) : "",
        };
        foreach (var container in task.Task.Containers.Where(c => c.GpuIds is { Count: > 0 }))
        {
            run.Gpus.Add(new ContainerGpus { ContainerName = container.Name, GpuIds = { container.GpuIds } });
        }

        run.Secrets.AddRange((secrets ?? ResolvedSecrets.None).Values);
        run.RegistryCredentials.AddRange((secrets ?? ResolvedSecrets.None).RegistryLogins);
        run.LogSecretOptions.AddRange((secrets ?? ResolvedSecrets.None).LogOptions);
        run.Credentials = secrets?.Credentials;
        if (task.Address is { } address)
        {
            run.Network = new TaskNetwork
            {
                AttachmentId = address.AttachmentId,
                SubnetId = address.SubnetId,
                Ipv4Address = address.Ipv4Address,
                PrefixLength = address.PrefixLength,
                Gateway = address.Gateway,
            };
        }

        return new ControlMessage { RunTask = run };
    }

    /// <summary>New keys for a task with a task role, replacing those it holds.</summary>
    public static ControlMessage Credentials(TaskCredentials credentials) => new() { TaskCredentials = credentials };

    public static ControlMessage Stop(string taskArn, string? reason) =>
        new() { StopTask = new StopTask { TaskArn = taskArn, Reason = reason ?? "" } };

    public static ControlMessage Ack(ulong throughSequence) => new() { Ack = new Acknowledge { ThroughSequence = throughSequence } };
}
