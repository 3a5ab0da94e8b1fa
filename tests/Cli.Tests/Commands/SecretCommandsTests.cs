using System.Text.Json.Nodes;
using Google.Protobuf.WellKnownTypes;
using Orchestrator.Cli.Tests.Fakes;
using Orchestrator.Contracts.Admin;

namespace Orchestrator.Cli.Tests.Commands;

/// <summary><c>orch secret …</c> against a fake admin API: what each command sends, and that only metadata is printed.</summary>
public sealed class SecretCommandsTests
{
    private static readonly SecretInfo Info = new()
    {
        Name = "prod/db",
        Arn = "arn:aws:secretsmanager:us-east-1:000000000000:secret:prod/db",
        Description = "database",
        Version = 2,
        CreatedAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 12, 1, 9, 30, 0, TimeSpan.Zero)),
        LastChangedAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 12, 2, 9, 30, 0, TimeSpan.Zero)),
    };

    [Fact]
    public async Task Create_FromAFile_SendsItsTextWithoutTheTrailingNewline_AndPrintsNoValue()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Admin.Secret = Info;
        using var directory = new TempDirectory();
        var file = directory.Write("value", "s3cret-from-file\n");

        var result = await CliHarness.RunAsync(server, "secret", "create", "prod/db", "--value-file", file, "--description", "database");

        Assert.Equal(0, result.ExitCode);
        var request = Assert.IsType<CreateSecretRequest>(Assert.Single(server.Admin.Requests));
        Assert.Equal(("prod/db", "s3cret-from-file", "database"), (request.Name, request.Value, request.Description));
        Assert.Matches(@"^NAME\s+VERSION\s+LAST CHANGED\s+DESCRIPTION", result.Stdout);
        Assert.Contains("valueFrom: arn:aws:secretsmanager:us-east-1:000000000000:secret:prod/db", result.Stderr + result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-from-file", result.Stdout + result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Put_WithValue_SendsIt_AndTheDescriptionOnlyWhenGiven()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Admin.Secret = Info;

        var result = await CliHarness.RunAsync(server, "secret", "put", "prod/db", "--value", "v2", "-o", "json");

        Assert.Equal(0, result.ExitCode);
        var request = Assert.IsType<PutSecretValueRequest>(Assert.Single(server.Admin.Requests));
        Assert.Equal("v2", request.Value);
        Assert.False(request.HasDescription);
        Assert.Equal(2, (int)JsonNode.Parse(result.Stdout)!["version"]!);
    }

    [Fact]
    public async Task Create_WithValueAndValueFile_IsRefusedLocally()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        using var directory = new TempDirectory();

        var result = await CliHarness.RunAsync(server, "secret", "create", "x", "--value", "a", "--value-file", directory.Write("v", "b"));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("one way", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(server.Admin.Requests);
    }

    [Fact]
    public async Task GetMetadataListDelete_SendTheName_AndPrintMetadata()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Admin.Secret = Info;
        server.Admin.Secrets = new ListSecretsResponse { Secrets = { Info } };

        var metadata = await CliHarness.RunAsync(server, "secret", "get-metadata", "prod/db", "-o", "json");
        var list = await CliHarness.RunAsync(server, "secret", "list");
        var delete = await CliHarness.RunAsync(server, "secret", "delete", "prod/db");

        Assert.Equal([0, 0, 0], new[] { metadata.ExitCode, list.ExitCode, delete.ExitCode });
        Assert.Equal("database", (string?)JsonNode.Parse(metadata.Stdout)!["description"]);
        Assert.Matches(@"(?m)^prod/db\s+2\s+2026-12-02 09:30:00\s+database$", list.Stdout);
        var requests = server.Admin.Requests.ToList();
        Assert.Equal("prod/db", Assert.IsType<GetSecretMetadataRequest>(requests[0]).Name);
        Assert.IsType<ListSecretsRequest>(requests[1]);
        Assert.Equal("prod/db", Assert.IsType<DeleteSecretRequest>(requests[2]).Name);
    }
}
