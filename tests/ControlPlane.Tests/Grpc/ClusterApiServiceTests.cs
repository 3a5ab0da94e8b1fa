using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Orchestrator.Contracts.Cluster;
using Orchestrator.Ecs.Json;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Tests.Grpc;

/// <summary>The cluster API over real gRPC (in-process server).</summary>
public sealed class ClusterApiServiceTests : IAsyncLifetime
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "orch-cp-grpc-" + Guid.NewGuid().ToString("N"));
    private WebApplication? _app;
    private GrpcChannel? _channel;

    private ClusterApi.ClusterApiClient Client => new(_channel);

    public async ValueTask InitializeAsync()
    {
        _app = ControlPlaneApp.Build([$"--data-dir={_dataDir}", "--insecure", "--account-id=123456789012"], b => b.WebHost.UseTestServer());
        await _app.StartAsync(TestContext.Current.CancellationToken);
        _channel = GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions { HttpHandler = _app.GetTestServer().CreateHandler() });
    }

    public async ValueTask DisposeAsync()
    {
        _channel?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync(CancellationToken.None);
            await _app.DisposeAsync();
        }

        Directory.Delete(_dataDir, recursive: true);
    }

    [Fact]
    public async Task Call_CreateCluster_AnswersEcsJson()
    {
        var reply = await Client.CallAsync(new EcsCall { Action = "CreateCluster", Json = """{"clusterName":"prod"}""" }, cancellationToken: TestContext.Current.CancellationToken);

        var cluster = EcsJson.Deserialize<ClusterResponse>(reply.Json).Cluster;
        Assert.Equal("arn:aws:ecs:us-east-1:123456789012:cluster/prod", cluster.ClusterArn);
        Assert.Equal("ACTIVE", cluster.Status);
    }

    [Theory]
    [InlineData("DescribeTasks", """{"cluster":"nope","tasks":["0123456789abcdef0123456789abcdef"]}""", StatusCode.NotFound, "ClusterNotFoundException", "Cluster not found.")]
    [InlineData("RegisterTaskDefinition", """{"family":"web","containerDefinitions":[{"name":"a","memory":64}]}""", StatusCode.InvalidArgument, "ClientException", "Container.image should not be null or empty.")]
    [InlineData("RegisterTaskDefinition", """{"family":"web",""", StatusCode.InvalidArgument, "ClientException", "Malformed JSON at line 1, column 16: ")]
    [InlineData("DiscoverPollEndpoint", "{}", StatusCode.Unimplemented, "UnknownOperationException", "The action DiscoverPollEndpoint is not implemented by this control plane.")]
    public async Task Call_Error_CarriesEcsTypeAndMessage(string action, string json, StatusCode code, string type, string message)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            Client.CallAsync(new EcsCall { Action = action, Json = json }, cancellationToken: TestContext.Current.CancellationToken).ResponseAsync);

        Assert.Equal(code, error.StatusCode);
        Assert.StartsWith(message, error.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(type, error.Trailers.GetValue(Ecs.EcsErrors.GrpcTypeTrailer));
    }

    [Fact]
    public async Task Health_AnswersOk()
    {
        using var http = _app!.GetTestClient();
        var body = await http.GetStringAsync(new Uri("/healthz", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Contains("\"status\":\"ok\"", body, StringComparison.Ordinal);
    }
}
