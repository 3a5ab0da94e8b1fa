using System.Diagnostics;
using System.Text.Json;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>The real AWS CLI (Debian's awscli, v2) pointed at a control plane's ECS API with --endpoint-url.</summary>
public sealed class AwsCli(string endpointUrl, string accessKeyId, string secretAccessKey, string region = "us-east-1")
{
    public const string Path = "/usr/bin/aws";

    public async Task<CliResult> RunAsync(params string[] arguments)
    {
        var info = new ProcessStartInfo(Path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])["--endpoint-url", endpointUrl, "--region", region, "--output", "json", .. arguments])
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["AWS_ACCESS_KEY_ID"] = accessKeyId;
        info.Environment["AWS_SECRET_ACCESS_KEY"] = secretAccessKey;
        info.Environment["AWS_CONFIG_FILE"] = "/dev/null";
        info.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null";
        info.Environment["AWS_PAGER"] = "";
        info.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        info.Environment.Remove("AWS_SESSION_TOKEN");
        info.Environment.Remove("AWS_PROFILE");
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{Path} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return new CliResult("aws " + string.Join(' ', arguments), process.ExitCode, await stdout, await stderr);
    }

    public async Task<JsonElement> JsonAsync(params string[] arguments)
    {
        var result = (await RunAsync(arguments)).EnsureSuccess();
        return JsonDocument.Parse(result.Stdout).RootElement.Clone();
    }
}
