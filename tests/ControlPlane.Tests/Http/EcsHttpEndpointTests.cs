using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Orchestrator.ControlPlane.Http;

namespace Orchestrator.ControlPlane.Tests.Http;

/// <summary>The AWS JSON 1.1 front end over an in-process control plane, signed as the AWS CLI signs.</summary>
public sealed class EcsHttpEndpointTests : IAsyncLifetime
{
    private const string KeyId = "AKIDORCHESTRATOR";
    private const string Secret = "s3cr3t/with+symbols";
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "orch-http-" + Guid.NewGuid().ToString("N"));
    private WebApplication? _app;
    private HttpClient? _http;

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_dataDir);
        var keys = Path.Combine(_dataDir, "keys");
        await File.WriteAllTextAsync(keys, $"# test keys\n{KeyId} {Secret}\n", TestContext.Current.CancellationToken);
        _app = ControlPlaneApp.Build([$"--data-dir={_dataDir}", $"--access-keys-file={keys}", "--region=eu-west-1"], b => b.WebHost.UseTestServer());
        await _app.StartAsync(TestContext.Current.CancellationToken);
        _http = _app.GetTestClient();
    }

    public async ValueTask DisposeAsync()
    {
        _http?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync(CancellationToken.None);
            await _app.DisposeAsync();
        }

        Directory.Delete(_dataDir, recursive: true);
    }

    [Fact]
    public async Task SignedRequest_IsAnsweredWithTheActionsResponse()
    {
        using var response = await SendAsync("CreateCluster", """{"clusterName": "prod"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(EcsHttpEndpoint.ContentType, response.Content.Headers.ContentType?.MediaType);
        Assert.True(Guid.TryParse(response.Headers.GetValues("x-amzn-RequestId").Single(), out _));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;
        Assert.Equal("arn:aws:ecs:eu-west-1:000000000000:cluster/prod", body.GetProperty("cluster").GetProperty("clusterArn").GetString());
    }

    [Theory]
    [InlineData(null, Secret, HttpStatusCode.Forbidden, "MissingAuthenticationTokenException", "Missing Authentication Token")]
    [InlineData("AKIDUNKNOWN", Secret, HttpStatusCode.BadRequest, "UnrecognizedClientException", "The security token included in the request is invalid.")]
    [InlineData(KeyId, "wrong-secret", HttpStatusCode.BadRequest, "InvalidSignatureException", "The request signature we calculated does not match")]
    public async Task BadCredentials_AreRefusedWithAwsErrors(string? keyId, string secret, HttpStatusCode status, string type, string message)
    {
        using var response = await SendAsync("ListClusters", "{}", keyId, secret);

        await AssertErrorAsync(response, status, type, message);
    }

    [Fact]
    public async Task TamperedBody_IsRefused()
    {
        using var request = Signed("ListClusters", "{}", KeyId, Secret, DateTimeOffset.UtcNow);
        request.Content = new StringContent("""{"maxResults": 1}""", Encoding.UTF8);
        request.Content.Headers.ContentType = new("application/x-amz-json-1.1");

        using var response = await _http!.SendAsync(request, TestContext.Current.CancellationToken);

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "InvalidSignatureException", "The request signature we calculated");
    }

    [Fact]
    public async Task OldSignature_IsRefusedAsExpired()
    {
        using var response = await SendAsync("ListClusters", "{}", KeyId, Secret, DateTimeOffset.UtcNow.AddMinutes(-20));

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "InvalidSignatureException", "Signature expired");
    }

    [Fact]
    public async Task OtherRegion_IsRefused()
    {
        using var response = await SendAsync("ListClusters", "{}", KeyId, Secret, region: "us-east-1");

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "InvalidSignatureException", "Credential should be scoped to a valid region");
    }

    [Theory]
    [InlineData("DescribeTasks", """{"cluster": "nope", "tasks": ["0123456789abcdef0123456789abcdef"]}""", "ClusterNotFoundException", "Cluster not found.")]
    [InlineData("PutClusterCapacityProviders", "{}", "UnknownOperationException", "The action PutClusterCapacityProviders is not implemented by this control plane.")]
    [InlineData("RunTask", """{"taskDefinition": "web", "capacityProviderStrategy": [{"capacityProvider": "cp"}]}""", "ClientException", "Parameter capacityProviderStrategy is not supported by this control plane yet.")]
    public async Task ActionErrors_AreAwsJsonErrors(string action, string body, string type, string message)
    {
        using var response = await SendAsync(action, body);

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, type, message);
    }

    private static async Task AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string type, string message)
    {
        Assert.Equal(status, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;
        Assert.Equal(type, body.GetProperty("__type").GetString());
        Assert.StartsWith(message, body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    private async Task<HttpResponseMessage> SendAsync(string action, string body, string? keyId = KeyId, string secret = Secret, DateTimeOffset? at = null, string region = "eu-west-1")
    {
        using var request = Signed(action, body, keyId, secret, at ?? DateTimeOffset.UtcNow, region);
        return await _http!.SendAsync(request, TestContext.Current.CancellationToken);
    }

    /// <summary>A request signed the way botocore signs ECS requests (content-type;host;x-amz-date;x-amz-target).</summary>
    private static HttpRequestMessage Signed(string action, string body, string? keyId, string secret, DateTimeOffset at, string region = "eu-west-1")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "http://localhost/") { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new("application/x-amz-json-1.1");
        var amzDate = at.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        request.Headers.Add("X-Amz-Date", amzDate);
        request.Headers.Add("X-Amz-Target", EcsHttpEndpoint.TargetPrefix + action);
        if (keyId is null)
        {
            return request;
        }

        var headers = new Dictionary<string, string>
        {
            ["content-type"] = "application/x-amz-json-1.1",
            ["host"] = "localhost",
            ["x-amz-date"] = amzDate,
            ["x-amz-target"] = EcsHttpEndpoint.TargetPrefix + action,
        };
        var authorization = new SigV4.Authorization(keyId, amzDate[..8], region, "ecs", [.. headers.Keys], "");
        var canonical = SigV4.CanonicalRequest("POST", "/", authorization.SignedHeaders, name => headers[name], Encoding.UTF8.GetBytes(body));
        var signature = SigV4.Signature(secret, authorization, SigV4.StringToSign(amzDate, authorization.Scope, canonical));
        request.Headers.TryAddWithoutValidation("Authorization",
            $"AWS4-HMAC-SHA256 Credential={keyId}/{authorization.Scope}, SignedHeaders={string.Join(';', authorization.SignedHeaders)}, Signature={signature}");
        return request;
    }
}
