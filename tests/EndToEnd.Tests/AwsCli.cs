using System.Text.Json;
using Orchestrator.Lab;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>The real AWS CLI (Debian's awscli, v2) pointed at a control plane's ECS API with --endpoint-url.</summary>
public sealed class AwsCli(string endpointUrl, string accessKeyId, string secretAccessKey, string region = "us-east-1")
{
    public const string Path = "/usr/bin/aws";

    /// <summary>
    /// The AWS settings under which an AWS client (this CLI, Terraform's provider) uses these keys and nothing else: no
    /// profile, shared files or instance metadata.
    /// </summary>
    public static Dictionary<string, string> KeysOnly(string accessKeyId, string secretAccessKey) => new()
    {
        ["AWS_ACCESS_KEY_ID"] = accessKeyId,
        ["AWS_SECRET_ACCESS_KEY"] = secretAccessKey,
        ["AWS_SESSION_TOKEN"] = "",
        ["AWS_PROFILE"] = "",
        ["AWS_CONFIG_FILE"] = "/dev/null",
        ["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null",
        ["AWS_EC2_METADATA_DISABLED"] = "true",
    };

    public Task<CommandResult> RunAsync(params string[] arguments) =>
        Commands.RunAsync(Path, ["--endpoint-url", endpointUrl, "--region", region, "--output", "json", .. arguments], TimeSpan.FromMinutes(5),
            new Dictionary<string, string>(KeysOnly(accessKeyId, secretAccessKey)) { ["AWS_PAGER"] = "cat" });

    public async Task<JsonElement> JsonAsync(params string[] arguments)
    {
        var result = (await RunAsync(arguments)).EnsureSuccess();
        return JsonDocument.Parse(result.Stdout).RootElement.Clone();
    }
}
