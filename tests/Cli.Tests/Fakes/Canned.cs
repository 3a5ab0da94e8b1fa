using Orchestrator.Ecs.Model;
using TaskStatus = Orchestrator.Ecs.Model.TaskStatus;

namespace Orchestrator.Cli.Tests.Fakes;

/// <summary>ECS documents for canned replies, with the ARNs the control plane would give them.</summary>
internal static class Canned
{
    public const string Prefix = "arn:aws:ecs:us-east-1:000000000000:";
    public const string TaskId1 = "0123abcd0123abcd0123abcd0123abcd";
    public const string TaskId2 = "4567cdef4567cdef4567cdef4567cdef";
    public const string InstanceId = "9f8e7d6c5b4a39281706f5e4d3c2b1a0";

    public static string TaskArn(string id, string cluster = "default") => $"{Prefix}task/{cluster}/{id}";

    public static string InstanceArn(string id = InstanceId, string cluster = "default") => $"{Prefix}container-instance/{cluster}/{id}";

    public static string DefinitionArn(string family = "web", int revision = 1) => $"{Prefix}task-definition/{family}:{revision}";

    public static Cluster Cluster(string name, int instances = 0, int running = 0, int pending = 0) => new()
    {
        ClusterArn = $"{Prefix}cluster/{name}",
        ClusterName = name,
        RegisteredContainerInstancesCount = instances,
        RunningTasksCount = running,
        PendingTasksCount = pending,
    };

    public static EcsTask Task(string id, string lastStatus, params Container[] containers) => new()
    {
        TaskArn = TaskArn(id),
        ClusterArn = $"{Prefix}cluster/default",
        TaskDefinitionArn = DefinitionArn(),
        ContainerInstanceArn = InstanceArn(),
        LastStatus = lastStatus,
        DesiredStatus = TaskStatus.Running,
        Containers = containers,
        CreatedAt = new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero),
    };

    public static Container Container(string name, string lastStatus, params NetworkBinding[] bindings) => new()
    {
        Name = name,
        Image = "nginx:1.27",
        LastStatus = lastStatus,
        NetworkBindings = bindings,
    };

    public static NetworkBinding Binding(int hostPort, int containerPort) =>
        new() { BindIP = "0.0.0.0", HostPort = hostPort, ContainerPort = containerPort, Protocol = "tcp" };
}
