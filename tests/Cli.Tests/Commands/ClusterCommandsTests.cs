using System.Text.Json.Nodes;
using Orchestrator.Cli.Tests.Fakes;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Cli.Tests.Commands;

public sealed class ClusterCommandsTests
{
    [Fact]
    public async Task Create_Name_SendsCreateClusterAndPrintsTable()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Api.On("CreateCluster", new ClusterResponse(Canned.Cluster("prod")));

        var result = await CliHarness.RunAsync(server, "cluster", "create", "prod");

        Assert.Equal(0, result.ExitCode);
        var call = Assert.Single(server.Api.Calls);
        Assert.Equal("CreateCluster", call.Action);
        JsonAssert.Equal("""{"clusterName":"prod"}""", call.Json);
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd()).ToList();
        Assert.DoesNotContain(" \n", result.Stdout, StringComparison.Ordinal); // no padding left at line ends
        Assert.Matches(@"^NAME\s+STATUS\s+INSTANCES\s+RUNNING\s+PENDING$", lines[0]);
        Assert.Matches(@"^prod\s+ACTIVE\s+0\s+0\s+0$", lines[1]);
    }

    [Fact]
    public async Task Create_JsonOutput_PrintsClusterResponseDocument()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Api.On("CreateCluster", new ClusterResponse(Canned.Cluster("prod")));

        var result = await CliHarness.RunAsync(server, "cluster", "create", "prod", "--output", "json");

        Assert.Equal(0, result.ExitCode);
        var document = JsonNode.Parse(result.Stdout)!;
        Assert.Equal("prod", (string?)document["cluster"]!["clusterName"]);
        Assert.Equal(Canned.Prefix + "cluster/prod", (string?)document["cluster"]!["clusterArn"]);
        Assert.Contains("\n  \"cluster\": {", result.Stdout, StringComparison.Ordinal); // indented, as the AWS CLI prints
    }

    [Fact]
    public async Task List_SeveralPages_FollowsNextTokenAndDescribesEveryCluster()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Api.On("ListClusters", call => (string?)call.Request["nextToken"] switch
        {
            null => new ListClustersResponse([Canned.Cluster("a").ClusterArn], "page-2"),
            "page-2" => new ListClustersResponse([Canned.Cluster("b").ClusterArn], null),
            var token => throw new InvalidOperationException($"unexpected token {token}"),
        });
        server.Api.On("DescribeClusters", new DescribeClustersResponse(
            [Canned.Cluster("a", instances: 2, running: 3, pending: 1), Canned.Cluster("b")], []));

        var result = await CliHarness.RunAsync(server, "cluster", "list");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["ListClusters", "ListClusters", "DescribeClusters"], server.Api.Calls.Select(c => c.Action));
        JsonAssert.Equal("""{"nextToken":"page-2"}""", server.Api.Calls.ElementAt(1).Json);
        JsonAssert.Equal(
            $$"""{"clusters":["{{Canned.Prefix}}cluster/a","{{Canned.Prefix}}cluster/b"]}""",
            server.Api.CallsTo("DescribeClusters")[0].Json);
        Assert.Matches(@"(?m)^a\s+ACTIVE\s+2\s+3\s+1\s*$", result.Stdout);
        Assert.Matches(@"(?m)^b\s+ACTIVE\s+0\s+0\s+0\s*$", result.Stdout);
    }

    [Fact]
    public async Task List_JsonOutput_PrintsDescribeClustersResponse()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Api.On("ListClusters", new ListClustersResponse([Canned.Cluster("a").ClusterArn], null));
        server.Api.On("DescribeClusters", new DescribeClustersResponse([Canned.Cluster("a", running: 4)], []));

        var result = await CliHarness.RunAsync(server, "cluster", "list", "-o", "json");

        Assert.Equal(0, result.ExitCode);
        var document = JsonNode.Parse(result.Stdout)!;
        Assert.Equal(4, (int)document["clusters"]![0]!["runningTasksCount"]!);
        Assert.Empty(document["failures"]!.AsArray());
    }
}
