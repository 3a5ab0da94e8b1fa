// ECS's task status names, not System.Threading.Tasks.TaskStatus.
global using TaskStatus = Orchestrator.Ecs.Model.TaskStatus;
