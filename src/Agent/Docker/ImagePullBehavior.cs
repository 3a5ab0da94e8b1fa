namespace Orchestrator.Agent.Docker;

/// <summary>
/// When the agent pulls a task's image, as the ECS agent's <c>ECS_IMAGE_PULL_BEHAVIOR</c> (here
/// <c>ORCH_IMAGE_PULL_BEHAVIOR</c>, <c>--Agent:ImagePullBehavior</c>):
/// <list type="bullet">
/// <item><c>default</c>: always pull; when the pull fails, a cached image of that name is used.</item>
/// <item><c>always</c>: always pull; when the pull fails, the task fails (CannotPullContainerError).</item>
/// <item><c>once</c>: pull only when this agent has not pulled the image before (since it started) or it is not cached.</item>
/// <item><c>prefer-cached</c>: pull only when no image of that name is cached.</item>
/// </list>
/// </summary>
public static class ImagePullBehavior
{
    public const string Default = "default";
    public const string Always = "always";
    public const string Once = "once";
    public const string PreferCached = "prefer-cached";

    public static readonly IReadOnlyList<string> All = [Default, Always, Once, PreferCached];

    public static bool IsValid(string? value) => value is not null && All.Contains(value.Trim().ToLowerInvariant());

    public static string Normalize(string? value) => IsValid(value) ? value!.Trim().ToLowerInvariant() : PreferCached;
}
