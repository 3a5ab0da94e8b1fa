using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Tasks;

/// <summary>Tells the agent of a task's container instance to run or stop it, after the change is committed.</summary>
public interface ITaskDispatch
{
    /// <summary>Sends the task (of <paramref name="definition"/>) to its instance's agent.</summary>
    void Run(TaskRecord task, TaskDefinition definition);

    void Stop(TaskRecord task);
}
