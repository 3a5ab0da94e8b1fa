using System.Text.Json;
using Orchestrator.Ecs.Json;

namespace Orchestrator.Lab;

/// <summary>The real <c>orch</c> CLI against one control plane, the way a user runs it (ORCH_ENDPOINT).</summary>
public sealed class OrchCli(Func<string> endpoint)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <summary>Runs <c>orch …</c>.</summary>
    public async Task<CommandResult> RunAsync(params string[] arguments)
    {
        var result = await Commands.RunAsync("dotnet", [Programs.Cli, .. arguments], Timeout,
            new Dictionary<string, string> { ["ORCH_ENDPOINT"] = endpoint() });
        return result with { Command = "orch " + string.Join(' ', arguments) };
    }

    /// <summary>Runs <c>orch … --output json</c> and parses what it printed.</summary>
    public async Task<JsonElement> JsonAsync(params string[] arguments)
    {
        var result = (await RunAsync([.. arguments, "--output", "json"])).EnsureSuccess();
        return JsonDocument.Parse(result.Stdout).RootElement.Clone();
    }

    /// <summary>Runs <c>orch … --output json</c> and reads it as the ECS shape <typeparamref name="T"/>.</summary>
    public async Task<T> JsonAsync<T>(params string[] arguments) =>
        (await JsonAsync(arguments)).Deserialize<T>(EcsJson.Options)!;
}
