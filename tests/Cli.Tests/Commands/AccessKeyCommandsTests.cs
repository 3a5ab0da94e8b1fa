using System.Text.Json.Nodes;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Orchestrator.Cli.Tests.Fakes;
using Orchestrator.Contracts.Admin;

namespace Orchestrator.Cli.Tests.Commands;

public sealed class AccessKeyCommandsTests
{
    private static readonly Timestamp Created = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 12, 1, 9, 30, 0, TimeSpan.Zero));

    [Fact]
    public async Task Create_ReadOnlyWithDescription_SendsThemAndPrintsIdAndSecretOnce()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Admin.CreatedKey = new AccessKeyInfo
        {
            AccessKeyId = "AKNEW0001", SecretAccessKey = "fresh-secret-value", ReadOnly = true, Description = "ci", CreatedAt = Created, Source = "api",
        };

        var result = await CliHarness.RunAsync(server, "access-key", "create", "--read-only", "--description", "ci");

        Assert.Equal(0, result.ExitCode);
        var request = Assert.IsType<CreateAccessKeyRequest>(Assert.Single(server.Admin.Requests));
        Assert.True(request.ReadOnly);
        Assert.Equal("ci", request.Description);
        var lines = Lines(result.Stdout);
        Assert.Matches(@"^ACCESS KEY ID\s+SECRET ACCESS KEY\s+READ-ONLY\s+DESCRIPTION$", lines[0]);
        Assert.Matches(@"^AKNEW0001\s+fresh-secret-value\s+yes\s+ci$", lines[1]);
        Assert.Contains("shown only this once", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("fresh-secret-value", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_JsonOutput_PrintsTheAccessKeyDocument()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Admin.CreatedKey = new AccessKeyInfo { AccessKeyId = "AKNEW0001", SecretAccessKey = "fresh-secret-value", CreatedAt = Created, Source = "api" };

        var result = await CliHarness.RunAsync(server, "access-key", "create", "-o", "json");

        Assert.Equal(0, result.ExitCode);
        var document = JsonNode.Parse(result.Stdout)!;
        Assert.Equal("AKNEW0001", (string?)document["accessKeyId"]);
        Assert.Equal("fresh-secret-value", (string?)document["secretAccessKey"]);
        Assert.False((bool)document["readOnly"]!);
        Assert.Equal("2026-12-01T09:30:00Z", (string?)document["createdAt"]);
        Assert.False(Assert.IsType<CreateAccessKeyRequest>(Assert.Single(server.Admin.Requests)).ReadOnly);
    }

    [Fact]
    public async Task List_PrintsEveryKeyButNeverASecret()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Admin.Keys = new ListAccessKeysResponse
        {
            AccessKeys =
            {
                new AccessKeyInfo { AccessKeyId = "AKADMIN01", Source = "admin", CreatedAt = Created, Description = "first start" },
                // A server that wrongly sends a secret in a list must not get it printed.
                new AccessKeyInfo { AccessKeyId = "AKREAD002", Source = "api", ReadOnly = true, CreatedAt = Created, SecretAccessKey = "leaked-secret" },
            },
        };

        var table = await CliHarness.RunAsync(server, "access-key", "list");
        var json = await CliHarness.RunAsync(server, "access-key", "list", "--output", "json");

        Assert.Equal(0, table.ExitCode);
        var lines = Lines(table.Stdout);
        Assert.Matches(@"^ID\s+READ-ONLY\s+SOURCE\s+CREATED\s+DESCRIPTION$", lines[0]);
        Assert.Matches(@"^AKADMIN01\s+no\s+admin\s+2026-12-01 09:30:00\s+first start$", lines[1]);
        Assert.Matches(@"^AKREAD002\s+yes\s+api\s+2026-12-01 09:30:00\s+-$", lines[2]);
        Assert.Equal(0, json.ExitCode);
        var keys = JsonNode.Parse(json.Stdout)!["accessKeys"]!.AsArray();
        Assert.Equal(["AKADMIN01", "AKREAD002"], keys.Select(k => (string?)k!["accessKeyId"]));
        Assert.All(keys, k => Assert.False(k!.AsObject().ContainsKey("secretAccessKey")));
        Assert.DoesNotContain("leaked-secret", table.Stdout + table.Stderr + json.Stdout + json.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_SendsTheIdAndConfirms()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);

        var result = await CliHarness.RunAsync(server, "access-key", "delete", "AKOLD0003");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("AKOLD0003", Assert.IsType<DeleteAccessKeyRequest>(Assert.Single(server.Admin.Requests)).AccessKeyId);
        Assert.Equal("Deleted access key AKOLD0003.", result.Stdout.Trim());
    }

    [Fact]
    public async Task Delete_ServerError_OneLineWithTheStatusDetailAndExits254()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Admin.Error = new RpcException(new Grpc.Core.Status(StatusCode.NotFound, "Access key AKNOPE does not exist."));

        var result = await CliHarness.RunAsync(server, "access-key", "delete", "AKNOPE");

        Assert.Equal(254, result.ExitCode);
        Assert.Equal("An error occurred (NotFound) when calling the DeleteAccessKey operation: Access key AKNOPE does not exist.", result.Stderr.Trim());
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task Help_ListsTheNewCommandGroups()
    {
        var result = await CliHarness.RunAsync(["--help"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"(?m)^\s+access-key\s+Create, list and delete the access keys", result.Stdout);
        Assert.Matches(@"(?m)^\s+activation\s+Create, list and revoke activations", result.Stdout);
    }

    internal static List<string> Lines(string text) => [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd())];
}
