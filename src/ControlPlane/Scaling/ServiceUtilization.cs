using Orchestrator.ControlPlane.State;
using Orchestrator.ControlPlane.Tasks;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Scaling;

/// <summary>
/// A service's utilisation as ECS defines it: the CPU its RUNNING tasks used over what they reserve × 100 (CPU units,
/// 1024 per CPU), and the memory likewise (MiB used over MiB reserved). Each task counts with the mean of its samples
/// in the window; a task without samples (just started, or its agent not reporting) is left out of both sums.
/// <see cref="Cpu"/> is null when no task with samples reserves CPU, <see cref="Memory"/> likewise.
/// </summary>
public sealed record ServiceUtilization(double? Cpu, double? Memory, int TasksMeasured, IReadOnlyList<double> TaskCpu, IReadOnlyList<double> TaskMemory)
{
    public const double CpuUnitsPerCpu = 1024;
    private const double MiB = 1024 * 1024;

    public static readonly ServiceUtilization None = new(null, null, 0, [], []);

    /// <summary>ALBRequestCountPerTarget by target group name: requests per minute through the balancer over its targets.</summary>
    public IReadOnlyDictionary<string, double> RequestsPerTarget { get; init; } = new Dictionary<string, double>();

    public double? Of(string metric, string? resourceLabel = null) => metric switch
    {
        AutoScalingActions.CpuMetric => Cpu,
        AutoScalingActions.MemoryMetric => Memory,
        AutoScalingActions.RequestCountMetric when AutoScalingActions.RequestTargetGroup(resourceLabel) is { } group &&
                                                  RequestsPerTarget.TryGetValue(group, out var perTarget) => perTarget,
        _ => null,
    };

    /// <summary>The metric aggregated over the tasks (a step policy's MetricAggregationType).</summary>
    public double? Aggregate(string metric, string? aggregation)
    {
        var perTask = metric == AutoScalingActions.MemoryMetric ? TaskMemory : TaskCpu;
        return aggregation switch
        {
            "Maximum" when perTask.Count > 0 => perTask.Max(),
            "Minimum" when perTask.Count > 0 => perTask.Min(),
            "Maximum" or "Minimum" => null,
            _ => Of(metric),
        };
    }

    public static ServiceUtilization Measure(StateSnapshot state, ServiceRecord service, TaskUsageWindow window, DateTimeOffset since)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(window);
        double cpuUsed = 0, cpuReserved = 0, memoryUsed = 0, memoryReserved = 0;
        var measured = 0;
        var taskCpu = new List<double>();
        var taskMemory = new List<double>();
        foreach (var task in state.Tasks.Values)
        {
            if (task.ClusterName != service.ClusterName || task.Task.Group != service.TaskGroup || task.Task.LastStatus != TaskStatus.Running)
            {
                continue;
            }

            var samples = window.Since(task.Arn, since);
            if (samples.Count == 0)
            {
                continue;
            }

            measured++;
            var cpu = samples.Average(s => s.CpuPercent) / 100 * CpuUnitsPerCpu;
            var memory = samples.Average(s => (double)s.MemoryUsedBytes) / MiB;
            if (task.Reserved.Cpu > 0)
            {
                cpuUsed += cpu;
                cpuReserved += task.Reserved.Cpu;
                taskCpu.Add(cpu / task.Reserved.Cpu * 100);
            }

            if (task.Reserved.MemoryMiB > 0)
            {
                memoryUsed += memory;
                memoryReserved += task.Reserved.MemoryMiB;
                taskMemory.Add(memory / task.Reserved.MemoryMiB * 100);
            }
        }

        return new ServiceUtilization(
            cpuReserved > 0 ? cpuUsed / cpuReserved * 100 : null,
            memoryReserved > 0 ? memoryUsed / memoryReserved * 100 : null,
            measured, taskCpu, taskMemory);
    }
}
