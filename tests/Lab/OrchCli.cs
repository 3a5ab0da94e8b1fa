using System.Text.Json;
using Orchestrator.Ecs.Json;

namespace Orchestrator.Lab;

/// <summary>
/// The real <c>orch</c> CLI against one control plane, the way a user runs it: ORCH_ENDPOINT, and ORCH_CONFIG naming
/// the <c>orch-admin.json</c> the control plane wrote on its first start (its CA and admin key).
/// </summary>
public sealed class OrchCli(Func<string> endpoint, Func<string?>? config = null)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <summary>Runs <c>orch …</c>.</summary>
    public async Task<CommandResult> RunAsync(params string[] arguments)
    {
        var environment = new Dictionary<string, string> { ["ORCH_ENDPOINT"] = endpoint() };
        if (config?.Invoke() is { } file)
        {
            environment["ORCH_CONFIG"] = file;
        }

        var result = await Commands.RunAsync("dotnet", [Programs.Cli, .. arguments], Timeout, environment);
        return result with { Command = "orch " + string.Join(' ', arguments) };
    }

    /// <summary>Starts <c>orch …</c> as a long-running process (e.g. <c>task logs -f</c>), its output read line by line.</summary>
    public ManagedProcess Start(params string[] arguments)
    {
        var environment = new Dictionary<string, string> { ["ORCH_ENDPOINT"] = endpoint() };
        if (config?.Invoke() is { } file)
        {
            environment["ORCH_CONFIG"] = file;
        }

        return ManagedProcess.StartProgram("orch", "dotnet", [Programs.Cli, .. arguments], environment);
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

    /// <summary>
    /// Creates an activation for <paramref name="cluster"/> and returns the agent arguments that join a host with it:
    /// the endpoint, the activation and the CA file.
    /// </summary>
    public async Task<string[]> JoinArgumentsAsync(string cluster, string caFile, int maxRegistrations)
    {
        var activation = await JsonAsync("activation", "create", "--cluster", cluster, "--max-registrations", $"{maxRegistrations}", "--expires", "24h");
        return
        [
            "--endpoint", endpoint(),
            "--activation-id", activation.GetProperty("activationId").GetString()!,
            "--activation-code", activation.GetProperty("activationCode").GetString()!,
            "--ca-file", caFile,
        ];
    }
}
