using Orchestrator.Cli.Tests.Fakes;
using Orchestrator.Contracts.Admin;

namespace Orchestrator.Cli.Tests.Commands;

/// <summary><c>orch role …</c> against a fake admin API: the policy from a file or inline, what is sent and printed.</summary>
public sealed class RoleCommandsTests
{
    private const string Policy = """{"Statement":{"Effect":"Allow","Action":"ecs:ListTasks","Resource":"*"}}""";

    private static readonly RoleInfo Info = new()
    {
        Name = "ci-runner",
        Arn = "arn:aws:iam::000000000000:role/ci-runner",
        PolicyDocument = Policy,
        Description = "CI jobs",
    };

    [Fact]
    public async Task Create_FromAFile_SendsItsText_AndPrintsTheRole()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Admin.Role = Info;
        using var directory = new TempDirectory();
        var file = directory.Write("policy.json", Policy);

        var result = await CliHarness.RunAsync(server, "role", "create", "ci-runner", "--policy-document", "file://" + file, "--description", "CI jobs");

        Assert.Equal(0, result.ExitCode);
        var request = Assert.IsType<CreateRoleRequest>(Assert.Single(server.Admin.Requests));
        Assert.Equal(("ci-runner", Policy, "CI jobs"), (request.Name, request.PolicyDocument, request.Description));
        Assert.Contains("arn:aws:iam::000000000000:role/ci-runner", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_Inline_SendsTheJson_AndAMissingFileIsALocalError()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Admin.Role = Info;

        Assert.Equal(0, (await CliHarness.RunAsync(server, "role", "create", "ci-runner", "--policy-document", Policy)).ExitCode);
        Assert.Equal(Policy, Assert.IsType<CreateRoleRequest>(Assert.Single(server.Admin.Requests)).PolicyDocument);

        var missing = await CliHarness.RunAsync(server, "role", "create", "x", "--policy-document", "file:///no/such/policy.json");
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("Cannot read /no/such/policy.json", missing.Stderr, StringComparison.Ordinal);
        Assert.Single(server.Admin.Requests);
    }

    [Fact]
    public async Task GetListDelete()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Admin.Role = Info;
        server.Admin.Roles = new ListRolesResponse { Roles = { Info } };

        var get = await CliHarness.RunAsync(server, "role", "get", "ci-runner");
        var list = await CliHarness.RunAsync(server, "--output", "json", "role", "list");
        var delete = await CliHarness.RunAsync(server, "role", "delete", "ci-runner");

        Assert.Contains(Policy, get.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"arn\": \"arn:aws:iam::000000000000:role/ci-runner\"", list.Stdout, StringComparison.Ordinal);
        Assert.Contains("Deleted role ci-runner.", delete.Stdout + delete.Stderr, StringComparison.Ordinal);
        Assert.Equal("ci-runner", Assert.IsType<DeleteRoleRequest>(server.Admin.Requests.Last()).Name);
    }
}
