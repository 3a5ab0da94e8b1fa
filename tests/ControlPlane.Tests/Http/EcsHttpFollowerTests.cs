using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Orchestrator.ControlPlane.Http;
using Orchestrator.Testing;

namespace Orchestrator.ControlPlane.Tests.Http;

/// <summary>
/// Two control planes on one real etcd, in process: the ECS HTTP API of the follower serves reads from its watch-fed
/// snapshot and refuses writes with a retryable 503 that names the leader, as AWS clients expect of a busy endpoint.
/// </summary>
public sealed class EcsHttpFollowerTests : IAsyncLifetime
{
    private const string LeaderUrl = "https://cp-a.example:7070";
    private readonly string _prefix = "/orch/http-" + Guid.NewGuid().ToString("N")[..8] + "/";
    private readonly List<(WebApplication App, string DataDir)> _planes = [];
    private EtcdServer _etcd = null!;

    public async ValueTask InitializeAsync() => _etcd = await EtcdServer.StartAsync(1, TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        foreach (var (app, dataDir) in _planes)
        {
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
            Directory.Delete(dataDir, recursive: true);
        }

        await _etcd.DisposeAsync();
    }

    [Fact]
    public async Task Follower_ServesReads_RefusesWritesWith503NamingTheLeader()
    {
        var token = TestContext.Current.CancellationToken;
        using var leader = (await StartAsync(LeaderUrl, token)).GetTestClient();
        await WaitForRoleAsync(leader, "leader", token);
        using var follower = (await StartAsync("https://cp-b.example:7071", token)).GetTestClient();
        await WaitForRoleAsync(follower, "follower", token);

        using var created = await SendAsync(leader, "CreateCluster", """{"clusterName": "prod"}""", token);
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);

        using var refused = await SendAsync(follower, "CreateCluster", """{"clusterName": "dev"}""", token);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(LeaderUrl, Assert.Single(refused.Headers.GetValues("x-orch-leader")));
        var error = JsonDocument.Parse(await refused.Content.ReadAsStringAsync(token)).RootElement;
        Assert.Equal("ServerException", error.GetProperty("__type").GetString());
        Assert.Contains($"send writes to the leader at {LeaderUrl}", error.GetProperty("message").GetString(), StringComparison.Ordinal);

        // The follower's snapshot follows the leader's commit; the refused cluster exists nowhere.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        string listed;
        do
        {
            using var list = await SendAsync(follower, "ListClusters", "{}", token);
            Assert.Equal(HttpStatusCode.OK, list.StatusCode);
            listed = await list.Content.ReadAsStringAsync(token);
        }
        while (!listed.Contains("cluster/prod", StringComparison.Ordinal) && DateTime.UtcNow < deadline && await Delay(token));

        Assert.Contains("cluster/prod", listed, StringComparison.Ordinal);
        Assert.DoesNotContain("cluster/dev", listed, StringComparison.Ordinal);
    }

    private async Task<WebApplication> StartAsync(string advertise, CancellationToken token)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "orch-follower-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDir);
        var keys = Path.Combine(dataDir, "keys");
        await File.WriteAllTextAsync(keys, $"{EcsHttpTestHost.KeyId} {EcsHttpTestHost.Secret}\n", token);
        var app = ControlPlaneApp.Build(
            [$"--data-dir={dataDir}", $"--access-keys-file={keys}", "--region=eu-west-1", "--State:Backend=etcd",
             $"--State:Etcd:Endpoints={_etcd.Endpoints}", $"--State:Etcd:Prefix={_prefix}", $"--State:Etcd:Advertise={advertise}"],
            b => b.WebHost.UseTestServer());
        _planes.Add((app, dataDir));
        await app.StartAsync(token);
        return app;
    }

    private static async Task WaitForRoleAsync(HttpClient client, string role, CancellationToken token)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string answer;
        do
        {
            answer = await client.GetStringAsync(new Uri("/healthz/role", UriKind.Relative), token);
        }
        while (!answer.Contains($"\"role\":\"{role}\"", StringComparison.Ordinal) && DateTime.UtcNow < deadline && await Delay(token));

        Assert.Contains($"\"role\":\"{role}\"", answer, StringComparison.Ordinal);
    }

    private static async Task<bool> Delay(CancellationToken token)
    {
        await Task.Delay(200, token);
        return true;
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string action, string body, CancellationToken token)
    {
        var request = EcsHttpEndpointTests.Signed(action, body, EcsHttpTestHost.KeyId, EcsHttpTestHost.Secret, DateTimeOffset.UtcNow);
        return client.SendAsync(request, token);
    }
}
