using System.Text.Json.Nodes;
using Google.Protobuf.WellKnownTypes;
using Orchestrator.Cli.Tests.Fakes;
using Orchestrator.Contracts;
using Orchestrator.Contracts.Admin;

namespace Orchestrator.Cli.Tests.Commands;

public sealed class ActivationCommandsTests
{
    private static readonly Timestamp Expires = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Create_WithOptions_SendsThemAndPrintsIdCodeExpiryAndTheJoinLineWithTheCaFingerprint()
    {
        using var ca = TestPki.CreateCa("cluster CA");
        await using var server = await FakeClusterApiServer.StartAsync(
            TestContext.Current.CancellationToken, new FakeServerOptions { CaPem = ca.ExportCertificatePem() });
        server.Admin.CreatedActivation = new ActivationInfo
        {
            ActivationId = "act-0001", ActivationCode = "code-secret-1234", Cluster = "prod", ExpiresAt = Expires,
            MaxRegistrations = 3, Status = "ACTIVE", Description = "rack 4",
        };

        var result = await CliHarness.RunAsync(
            server, "activation", "create", "--cluster", "prod", "--expires", "2h", "--max-registrations", "3", "--description", "rack 4");

        Assert.Equal(0, result.ExitCode);
        var request = Assert.IsType<CreateActivationRequest>(Assert.Single(server.Admin.Requests));
        Assert.Equal(("prod", 7200L, 3, "rack 4"), (request.Cluster, request.ExpiresInSeconds, request.MaxRegistrations, request.Description));
        var lines = AccessKeyCommandsTests.Lines(result.Stdout);
        Assert.Matches(@"^ACTIVATION ID\s+ACTIVATION CODE\s+CLUSTER\s+REGISTRATIONS\s+EXPIRES$", lines[0]);
        Assert.Matches(@"^act-0001\s+code-secret-1234\s+prod\s+0/3\s+2026-12-07 12:00:00$", lines[1]);
        var join = $"agent --endpoint {server.Url} --cluster prod --activation-id act-0001 --activation-code code-secret-1234 --ca-fingerprint {CaFingerprint.Of(ca)}";
        Assert.Equal(join, lines[^3]);
        Assert.Equal("sudo ./install.sh " + join, lines[^1]);
        Assert.Contains("shown only this once", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_Defaults_LeaveExpiryAndCountToTheServer()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Admin.CreatedActivation = new ActivationInfo { ActivationId = "act-2", ActivationCode = "c2", Cluster = "default", ExpiresAt = Expires, MaxRegistrations = 1 };

        var result = await CliHarness.RunAsync(server, "activation", "create");

        Assert.Equal(0, result.ExitCode);
        var request = Assert.IsType<CreateActivationRequest>(Assert.Single(server.Admin.Requests));
        Assert.Equal(("default", 0L, 0), (request.Cluster, request.ExpiresInSeconds, request.MaxRegistrations));
    }

    [Fact]
    public async Task Create_GetClusterCaFails_PrintsTheJoinLineWithoutFingerprintAndSaysWhy()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Admin.CreatedActivation = new ActivationInfo { ActivationId = "act-3", ActivationCode = "c3", Cluster = "default", ExpiresAt = Expires, MaxRegistrations = 1 };

        var result = await CliHarness.RunAsync(server, "activation", "create");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            $"agent --endpoint {server.Url} --cluster default --activation-id act-3 --activation-code c3",
            AccessKeyCommandsTests.Lines(result.Stdout)[^3]);
        Assert.Contains("The cluster CA's fingerprint is unknown (GetClusterCa failed: No CA here.)", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_JsonOutput_DocumentOnStdoutJoinLineOnStderr()
    {
        using var ca = TestPki.CreateCa("cluster CA");
        await using var server = await FakeClusterApiServer.StartAsync(
            TestContext.Current.CancellationToken, new FakeServerOptions { CaPem = ca.ExportCertificatePem() });
        server.Admin.CreatedActivation = new ActivationInfo { ActivationId = "act-4", ActivationCode = "c4", Cluster = "default", ExpiresAt = Expires, MaxRegistrations = 1 };

        var result = await CliHarness.RunAsync(server, "activation", "create", "-o", "json");

        Assert.Equal(0, result.ExitCode);
        var document = JsonNode.Parse(result.Stdout)!;
        Assert.Equal(("act-4", "c4", 0), ((string?)document["activationId"], (string?)document["activationCode"], (int)document["registrations"]!));
        Assert.Contains($"--ca-fingerprint {CaFingerprint.Of(ca)}", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--expires", "soon")]
    [InlineData("--max-registrations", "0")]
    public async Task Create_InvalidOption_UsageErrorWithoutCallingTheServer(string option, string value)
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);

        var result = await CliHarness.RunAsync(server, "activation", "create", option, value);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(value == "0" ? "--max-registrations must be at least 1." : "'soon' is not a duration", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(server.Admin.Requests);
    }

    [Fact]
    public async Task List_PrintsEveryActivationButNeverACode()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Admin.Activations = new ListActivationsResponse
        {
            Activations =
            {
                new ActivationInfo { ActivationId = "act-1", Cluster = "prod", Status = "ACTIVE", Registrations = 1, MaxRegistrations = 3, ExpiresAt = Expires, Description = "rack 4" },
                new ActivationInfo { ActivationId = "act-2", Cluster = "default", Status = "EXHAUSTED", Registrations = 1, MaxRegistrations = 1, ExpiresAt = Expires, ActivationCode = "leaked-code" },
            },
        };

        var table = await CliHarness.RunAsync(server, "activation", "list");
        var json = await CliHarness.RunAsync(server, "activation", "list", "-o", "json");

        Assert.Equal(0, table.ExitCode);
        var lines = AccessKeyCommandsTests.Lines(table.Stdout);
        Assert.Matches(@"^ID\s+CLUSTER\s+STATUS\s+REGISTRATIONS\s+EXPIRES\s+DESCRIPTION$", lines[0]);
        Assert.Matches(@"^act-1\s+prod\s+ACTIVE\s+1/3\s+2026-12-07 12:00:00\s+rack 4$", lines[1]);
        Assert.Matches(@"^act-2\s+default\s+EXHAUSTED\s+1/1\s+2026-12-07 12:00:00\s+-$", lines[2]);
        Assert.Equal(0, json.ExitCode);
        var activations = JsonNode.Parse(json.Stdout)!["activations"]!.AsArray();
        Assert.Equal(["act-1", "act-2"], activations.Select(a => (string?)a!["activationId"]));
        Assert.DoesNotContain("leaked-code", table.Stdout + table.Stderr + json.Stdout + json.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("activationCode", json.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revoke_SendsTheIdAndPrintsTheRevokedActivation()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Admin.Activations = new ListActivationsResponse
        {
            Activations = { new ActivationInfo { ActivationId = "act-9", Cluster = "prod", Status = "REVOKED", MaxRegistrations = 2, ExpiresAt = Expires } },
        };

        var result = await CliHarness.RunAsync(server, "activation", "revoke", "act-9");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("act-9", Assert.IsType<RevokeActivationRequest>(Assert.Single(server.Admin.Requests)).ActivationId);
        Assert.Matches(@"(?m)^act-9\s+prod\s+REVOKED\s+0/2\s", result.Stdout);
    }
}
