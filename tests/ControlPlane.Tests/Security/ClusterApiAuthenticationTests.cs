using System.Net;
using Grpc.Core;
using Orchestrator.Contracts.Admin;
using Orchestrator.Contracts.Cluster;
using Orchestrator.ControlPlane.Tests.Http;
using Orchestrator.Ecs.Json;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Tests.Security;

/// <summary>
/// The cluster and admin APIs on the real TLS port of a secure control plane: nothing without a valid signature,
/// read-only keys only read (on gRPC and on the ECS HTTP API alike), and secrets leave only once.
/// </summary>
public sealed class ClusterApiAuthenticationTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ClusterApiCall_WithoutOrWithBadCredentials_IsRefused_AndChangesNothing()
    {
        await using var controlPlane = await SecureControlPlane.StartAsync();
        var api = controlPlane.Api();
        var create = new EcsCall { Action = "CreateCluster", Json = """{"clusterName":"stolen"}""" };

        var unsigned = await Assert.ThrowsAsync<RpcException>(async () => await api.CallAsync(create, cancellationToken: Token));
        var wrongSecret = await Assert.ThrowsAsync<RpcException>(async () => await api.CallAsync(create, controlPlane.Signed(SecureControlPlane.CallMethod, secret: "not-the-secret")));
        var unknownKey = await Assert.ThrowsAsync<RpcException>(async () => await api.CallAsync(create, controlPlane.Signed(SecureControlPlane.CallMethod, keyId: "AKIAUNKNOWN")));
        var stale = await Assert.ThrowsAsync<RpcException>(async () => await api.CallAsync(create, controlPlane.Signed(SecureControlPlane.CallMethod, at: DateTimeOffset.UtcNow.AddHours(-1))));
        var otherMethod = await Assert.ThrowsAsync<RpcException>(async () => await api.CallAsync(create, controlPlane.Signed("/orchestrator.cluster.v1.ClusterApi/WatchTasks")));
        var watch = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var call = api.WatchTasks(new WatchTasksRequest { Cluster = "default" }, cancellationToken: Token);
            await call.ResponseStream.MoveNext(Token);
        });

        Assert.All(new[] { unsigned, wrongSecret, unknownKey, stale, otherMethod, watch }, e => Assert.Equal(StatusCode.Unauthenticated, e.StatusCode));
        Assert.Contains("needs an access key", unsigned.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("more than 15 minutes", stale.Status.Detail, StringComparison.Ordinal);
        var clusters = EcsJson.Deserialize<ListClustersResponse>(await controlPlane.CallAsync("ListClusters", "{}"));
        Assert.DoesNotContain(clusters.ClusterArns, a => a.EndsWith("/stolen", StringComparison.Ordinal));
        Assert.DoesNotContain(controlPlane.Logs.Lines, l => l.Contains(controlPlane.AdminSecret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task RefusedCallsInALoop_AreLoggedAtMostTwentyTimesPerWindow_AndCounted()
    {
        await using var controlPlane = await SecureControlPlane.StartAsync();
        var api = controlPlane.Api();

        for (var i = 0; i < 100; i++)
        {
            await Assert.ThrowsAsync<RpcException>(async () => await api.CallAsync(new EcsCall { Action = "ListClusters", Json = "{}" }, cancellationToken: Token));
        }

        Assert.Equal(20, controlPlane.Logs.Lines.Count(l => l.Contains("Refused /orchestrator.cluster.v1.ClusterApi/Call", StringComparison.Ordinal)));
        controlPlane.Clock.Offset = TimeSpan.FromSeconds(11);
        await Assert.ThrowsAsync<RpcException>(async () => await api.CallAsync(new EcsCall { Action = "ListClusters", Json = "{}" }, cancellationToken: Token));
        Assert.Contains(controlPlane.Logs.Lines, l => l.Contains("80 more refused calls from 127.0.0.1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReadOnlyKey_ReadsButNeverChanges_OnGrpcAndOnTheHttpApi()
    {
        await using var controlPlane = await SecureControlPlane.StartAsync();
        var key = await controlPlane.Admin().CreateAccessKeyAsync(new CreateAccessKeyRequest { ReadOnly = true, Description = "dashboards" },
            controlPlane.Signed(SecureControlPlane.AdminMethod("CreateAccessKey")));
        var api = controlPlane.Api();

        var list = await api.CallAsync(new EcsCall { Action = "ListClusters", Json = "{}" }, controlPlane.Signed(SecureControlPlane.CallMethod, key.AccessKeyId, key.SecretAccessKey));
        var create = await Assert.ThrowsAsync<RpcException>(async () => await api.CallAsync(new EcsCall { Action = "CreateCluster", Json = """{"clusterName":"x"}""" },
            controlPlane.Signed(SecureControlPlane.CallMethod, key.AccessKeyId, key.SecretAccessKey)));
        var admin = await Assert.ThrowsAsync<RpcException>(async () => await controlPlane.Admin().ListAccessKeysAsync(new ListAccessKeysRequest(),
            controlPlane.Signed(SecureControlPlane.AdminMethod("ListAccessKeys"), key.AccessKeyId, key.SecretAccessKey)));

        // Get* reads too: GetTaskProtection gets past the key check (and fails only because there is no such task).
        var protection = await Assert.ThrowsAsync<RpcException>(async () => await api.CallAsync(
            new EcsCall { Action = "GetTaskProtection", Json = """{"cluster":"nope","tasks":["t"]}""" },
            controlPlane.Signed(SecureControlPlane.CallMethod, key.AccessKeyId, key.SecretAccessKey)));

        Assert.NotEqual(StatusCode.PermissionDenied, protection.StatusCode);
        Assert.Contains("clusterArns", list.Json, StringComparison.Ordinal);
        Assert.Equal(StatusCode.PermissionDenied, create.StatusCode);
        Assert.Contains("read-only", create.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.PermissionDenied, admin.StatusCode);

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{controlPlane.HttpPort}/") };
        using var createOverHttp = Signed("CreateCluster", """{"clusterName":"x"}""", key.AccessKeyId, key.SecretAccessKey);
        using var listOverHttp = Signed("ListClusters", "{}", key.AccessKeyId, key.SecretAccessKey);
        using var refused = await http.SendAsync(createOverHttp, Token);
        using var allowed = await http.SendAsync(listOverHttp, Token);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("AccessDeniedException", await refused.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.DoesNotContain(EcsJson.Deserialize<ListClustersResponse>(await controlPlane.CallAsync("ListClusters", "{}")).ClusterArns,
            a => a.EndsWith("/x", StringComparison.Ordinal));
    }

    [Fact]
    public async Task HttpApi_OfASecureControlPlane_NeedsASignature_AndTakesTheAdminKey()
    {
        await using var controlPlane = await SecureControlPlane.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{controlPlane.HttpPort}/") };

        using var unsignedRequest = Signed("CreateCluster", """{"clusterName":"y"}""", keyId: null, secret: "");
        using var unsigned = await http.SendAsync(unsignedRequest, Token);
        using var signedRequest = Signed("CreateCluster", """{"clusterName":"y"}""", controlPlane.AdminKeyId, controlPlane.AdminSecret);
        using var signed = await http.SendAsync(signedRequest, Token);

        Assert.Equal(HttpStatusCode.Forbidden, unsigned.StatusCode);
        Assert.Equal(HttpStatusCode.OK, signed.StatusCode);
    }

    [Fact]
    public async Task AccessKeys_CreateListDelete_SecretShownOnce_DeletedKeyStopsWorking_LastAdminKeyStays()
    {
        await using var controlPlane = await SecureControlPlane.StartAsync();
        var admin = controlPlane.Admin();
        var created = await admin.CreateAccessKeyAsync(new CreateAccessKeyRequest { Description = "ci" }, controlPlane.Signed(SecureControlPlane.AdminMethod("CreateAccessKey")));
        var listed = await admin.ListAccessKeysAsync(new ListAccessKeysRequest(), controlPlane.Signed(SecureControlPlane.AdminMethod("ListAccessKeys")));

        Assert.Matches("^AKIA[A-Z2-7]{16}$", created.AccessKeyId);
        Assert.Equal(40, created.SecretAccessKey.Length);
        Assert.Equal(2, listed.AccessKeys.Count);
        Assert.All(listed.AccessKeys, k => Assert.Empty(k.SecretAccessKey));
        Assert.Contains(listed.AccessKeys, k => k.Source == "admin" && k.AccessKeyId == controlPlane.AdminKeyId);
        await controlPlane.Api().CallAsync(new EcsCall { Action = "ListClusters", Json = "{}" },
            controlPlane.Signed(SecureControlPlane.CallMethod, created.AccessKeyId, created.SecretAccessKey));

        await admin.DeleteAccessKeyAsync(new DeleteAccessKeyRequest { AccessKeyId = created.AccessKeyId }, controlPlane.Signed(SecureControlPlane.AdminMethod("DeleteAccessKey")));
        var deleted = await Assert.ThrowsAsync<RpcException>(async () => await controlPlane.Api().CallAsync(new EcsCall { Action = "ListClusters", Json = "{}" },
            controlPlane.Signed(SecureControlPlane.CallMethod, created.AccessKeyId, created.SecretAccessKey)));
        var last = await Assert.ThrowsAsync<RpcException>(async () => await admin.DeleteAccessKeyAsync(
            new DeleteAccessKeyRequest { AccessKeyId = controlPlane.AdminKeyId }, controlPlane.Signed(SecureControlPlane.AdminMethod("DeleteAccessKey"))));

        Assert.Equal(StatusCode.Unauthenticated, deleted.StatusCode);
        Assert.Equal(StatusCode.FailedPrecondition, last.StatusCode);
        Assert.Equal("-rw-------", Mode(Path.Combine(controlPlane.DataDir, "access-keys.json")));
        Assert.Equal("-rw-------", Mode(Path.Combine(controlPlane.DataDir, "orch-admin.json")));
        Assert.Equal("-rw-------", Mode(Path.Combine(controlPlane.DataDir, "pki", "ca.key")));
        Assert.DoesNotContain(controlPlane.Logs.Lines, l => l.Contains(created.SecretAccessKey, StringComparison.Ordinal) || l.Contains(controlPlane.AdminSecret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task EnsureAdmin_WhenTheAdminKeyExists_CreatesNoOther()
    {
        await using (var first = await SecureControlPlane.StartAsync())
        {
            var dataDir = first.DataDir;
            var keyId = first.AdminKeyId;
            var keys = new Orchestrator.ControlPlane.Security.AccessKeyStore(
                Microsoft.Extensions.Options.Options.Create(new ControlPlaneOptions { DataDir = dataDir }), TimeProvider.System);

            Assert.Null(keys.EnsureAdmin(dataDir, "https://127.0.0.1:1", "ca.crt"));
            Assert.Single(keys.List(), k => k.Source == "admin" && k.Id == keyId);
        }
    }

    private static HttpRequestMessage Signed(string action, string body, string? keyId, string secret)
    {
        var request = EcsHttpEndpointTests.Signed(action, body, keyId, secret, DateTimeOffset.UtcNow, region: "us-east-1");
        request.RequestUri = null;
        request.Headers.Host = "localhost";
        return request;
    }

    private static string Mode(string path) => OperatingSystem.IsWindows() ? "-rw-------" : File.GetUnixFileMode(path) switch
    {
        UnixFileMode.UserRead | UnixFileMode.UserWrite => "-rw-------",
        var other => other.ToString(),
    };
}
