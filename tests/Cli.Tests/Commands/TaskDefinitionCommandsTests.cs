using Orchestrator.Cli.Tests.Fakes;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Cli.Tests.Commands;

public sealed class TaskDefinitionCommandsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("orch-cli-tests-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static TaskDefinition Web(int revision = 3) => new()
    {
        TaskDefinitionArn = Canned.DefinitionArn("web", revision),
        Family = "web",
        Revision = revision,
        Status = "ACTIVE",
        ContainerDefinitions =
        [
            new ContainerDefinition
            {
                Name = "nginx",
                Image = "nginx:1.27",
                Cpu = 256,
                Memory = 512,
                PortMappings = [new PortMapping { ContainerPort = 80, HostPort = 0, Protocol = "tcp" }],
            },
            new ContainerDefinition { Name = "sidecar", Image = "busybox", MemoryReservation = 64 },
        ],
    };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Register_File_SendsTheFileTextVerbatim(bool asFileUri)
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Api.On("RegisterTaskDefinition", new TaskDefinitionResponse(Web()));
        const string text = "{ \"family\": \"web\",\n  \"containerDefinitions\": [ {\"name\":\"nginx\", \"image\":\"nginx:1.27\", \"memory\": 512} ]\n}\n";
        var path = Path.Combine(_directory, "web.json");
        await File.WriteAllTextAsync(path, text, TestContext.Current.CancellationToken);

        var result = await CliHarness.RunAsync(server, "taskdef", "register", "--file", asFileUri ? "file://" + path : path);

        Assert.Equal(0, result.ExitCode);
        var call = Assert.Single(server.Api.Calls);
        Assert.Equal("RegisterTaskDefinition", call.Action);
        Assert.Equal(text, call.Json);
        Assert.Matches(@"^ARN\s+FAMILY\s+REVISION\s+STATUS", result.Stdout);
        Assert.Contains(Canned.DefinitionArn("web", 3), result.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"web\s+3\s+ACTIVE", result.Stdout);
    }

    [Fact]
    public async Task Register_MissingFile_ExitsWith255WithoutCallingTheServer()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        var path = Path.Combine(_directory, "missing.json");

        var result = await CliHarness.RunAsync(server, "taskdef", "register", "--file", path);

        Assert.Equal(255, result.ExitCode);
        Assert.Equal($"The task definition file '{path}' does not exist.", result.Stderr.Trim());
        Assert.Empty(server.Api.Calls);
    }

    [Fact]
    public async Task Register_ServerRejectsTheDocument_PrintsTheServersMessage()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Api.Fail("RegisterTaskDefinition", "ClientException", "The request body is not valid JSON: line 2, column 7.");
        var path = Path.Combine(_directory, "broken.json");
        await File.WriteAllTextAsync(path, "{\n  \"family\" \"web\"}", TestContext.Current.CancellationToken);

        var result = await CliHarness.RunAsync(server, "taskdef", "register", "--file", path);

        Assert.Equal(254, result.ExitCode);
        Assert.Equal(
            "An error occurred (ClientException) when calling the RegisterTaskDefinition operation: The request body is not valid JSON: line 2, column 7.",
            result.Stderr.Trim());
    }

    [Fact]
    public async Task List_FiltersAndPages_SendsFiltersOnEveryPageAndListsAll()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Api.On("ListTaskDefinitions", call => (string?)call.Request["nextToken"] is null
            ? new ListTaskDefinitionsResponse([Canned.DefinitionArn("web", 1)], "next")
            : new ListTaskDefinitionsResponse([Canned.DefinitionArn("web", 2)], null));

        var result = await CliHarness.RunAsync(server, "taskdef", "list", "--family-prefix", "we", "--status", "ACTIVE");

        Assert.Equal(0, result.ExitCode);
        var calls = server.Api.CallsTo("ListTaskDefinitions");
        JsonAssert.Equal("""{"familyPrefix":"we","status":"ACTIVE"}""", calls[0].Json);
        JsonAssert.Equal("""{"familyPrefix":"we","status":"ACTIVE","nextToken":"next"}""", calls[1].Json);
        Assert.Matches(@"(?m)^web:1\s+arn:aws:ecs:.*:task-definition/web:1\s*$", result.Stdout);
        Assert.Matches(@"(?m)^web:2\s+arn:aws:ecs:.*:task-definition/web:2\s*$", result.Stdout);
    }

    [Fact]
    public async Task List_UnknownStatus_IsAUsageErrorWithoutCallingTheServer()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);

        var result = await CliHarness.RunAsync(server, "taskdef", "list", "--status", "DELETED");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("DELETED", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(server.Api.Calls);
    }

    [Fact]
    public async Task Describe_FamilyAndRevision_PrintsContainersWithPorts()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Api.On("DescribeTaskDefinition", new TaskDefinitionResponse(Web()));

        var result = await CliHarness.RunAsync(server, "taskdef", "describe", "web:3");

        Assert.Equal(0, result.ExitCode);
        JsonAssert.Equal("""{"taskDefinition":"web:3"}""", Assert.Single(server.Api.Calls).Json);
        Assert.Matches(@"(?m)^NAME\s+IMAGE\s+CPU\s+MEMORY\s+PORTS\s*$", result.Stdout);
        Assert.Matches(@"(?m)^nginx\s+nginx:1\.27\s+256\s+512\s+dynamic->80/tcp\s*$", result.Stdout);
        Assert.Matches(@"(?m)^sidecar\s+busybox\s+0\s+64 \(soft\)\s+-\s*$", result.Stdout);
        Assert.Matches(@"(?m)^Network mode:\s+bridge\s*$", result.Stdout);
    }
}
