using System.Net;
using System.Text;
using System.Text.Json;
using Orchestrator.ControlPlane.Http;
using Orchestrator.ControlPlane.Security;

namespace Orchestrator.ControlPlane.Tests.Http;

/// <summary>The AWS JSON 1.1 front end over an in-process control plane, signed as the AWS CLI signs.</summary>
public sealed class EcsHttpEndpointTests : IAsyncLifetime
{
    internal const string KeyId = EcsHttpTestHost.KeyId;
    internal const string Secret = EcsHttpTestHost.Secret;
    private EcsHttpTestHost? _host;
    private HttpClient? _http;

    public async ValueTask InitializeAsync()
    {
        _host = await EcsHttpTestHost.StartAsync(TestContext.Current.CancellationToken);
        _http = _host.Client;
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
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
    [InlineData("DiscoverPollEndpoint", "{}", "UnknownOperationException", "The action DiscoverPollEndpoint is not implemented by this control plane.")]
    [InlineData("RunTask", """{"taskDefinition": "web", "volumeConfigurations": [{"name": "v"}]}""", "ClientException", "Parameter volumeConfigurations is not supported by this control plane yet: the value a list of 1 is refused; it takes only [].")]
    public async Task ActionErrors_AreAwsJsonErrors(string action, string body, string type, string message)
    {
        using var response = await SendAsync(action, body);

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, type, message);
    }

    [Fact]
    public async Task SignatureOfOneAction_ReplayedAsAnother_IsRefused()
    {
        await (await SendAsync("CreateCluster", """{"clusterName": "prod"}""")).Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        // Signed without x-amz-target: the signature would be as good for DeleteCluster as for DescribeClusters.
        using var request = Signed("DescribeClusters", """{"clusters": ["prod"]}""", KeyId, Secret, DateTimeOffset.UtcNow, signedHeaders: ["content-type", "host", "x-amz-date"]);
        request.Headers.Remove("X-Amz-Target");
        request.Headers.Add("X-Amz-Target", EcsHttpEndpoint.TargetPrefix + "DeleteCluster");

        using var response = await _http!.SendAsync(request, TestContext.Current.CancellationToken);

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "InvalidSignatureException", "The signed headers must include host, x-amz-date and x-amz-target.");
        using var described = await SendAsync("DescribeClusters", """{"clusters": ["prod"]}""");
        Assert.Contains("\"ACTIVE\"", await described.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("host;x-amz-target")]
    [InlineData("x-amz-date;x-amz-target")]
    [InlineData("content-type;host;x-amz-date")]
    public async Task SignedHeadersMissingARequiredOne_AreRefused(string signedHeaders)
    {
        using var request = Signed("ListClusters", "{}", KeyId, Secret, DateTimeOffset.UtcNow, signedHeaders: signedHeaders.Split(';'));

        using var response = await _http!.SendAsync(request, TestContext.Current.CancellationToken);

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "InvalidSignatureException", "The signed headers must include");
    }

    [Theory]
    [InlineData("Credential={0}, SignedHeaders=host;x-amz-date;x-amz-target, Signature=00, Signature=11")]
    [InlineData("Credential={0}, Credential={0}, SignedHeaders=host;x-amz-date;x-amz-target, Signature=00")]
    [InlineData("Credential=a/b/c, SignedHeaders=, Signature=")]
    [InlineData("Credential={0}, SignedHeaders=host;host;x-amz-date;x-amz-target, Signature=00")]
    public async Task MalformedAuthorization_IsAnAuthErrorNotA500(string parameters)
    {
        var scope = $"{KeyId}/{DateTimeOffset.UtcNow:yyyyMMdd}/eu-west-1/ecs/aws4_request";
        using var request = Signed("ListClusters", "{}", null, Secret, DateTimeOffset.UtcNow);
        request.Headers.TryAddWithoutValidation("Authorization", "AWS4-HMAC-SHA256 " + string.Format(System.Globalization.CultureInfo.InvariantCulture, parameters, scope));

        using var response = await _http!.SendAsync(request, TestContext.Current.CancellationToken);

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "InvalidSignatureException", "The");
    }

    [Fact]
    public async Task ChunkedBodyOverTheLimit_IsRefusedWith413()
    {
        using var request = Signed("ListClusters", "{}", KeyId, Secret, DateTimeOffset.UtcNow);
        request.Content = new EndlessContent(3 * EcsHttpEndpoint.MaxBodyBytes);
        request.Content.Headers.ContentType = new("application/x-amz-json-1.1");

        using var response = await _http!.SendAsync(request, TestContext.Current.CancellationToken);

        await AssertErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "ClientException", "The request body is larger than 1048576 bytes.");
    }

    [Theory]
    [InlineData("CreateCluster", "null", "ClientException", "Invalid type for parameter (request): expected an object, got null.")]
    [InlineData("CreateCluster", """{"settings": [null]}""", "InvalidParameterException", "Invalid value for parameter settings[0]: null is not allowed")]
    [InlineData("CreateCluster", """{"clusterName": "a\ud800"}""", "ClientException", "The request contains a string that is not valid Unicode")]
    [InlineData("RegisterTaskDefinition", """{"family": "web", "cpu": "99999999999", "containerDefinitions": [{"name": "a", "image": "i", "memory": 64}]}""", "ClientException", "Invalid 'cpu' setting for task")]
    [InlineData("RegisterTaskDefinition", """{"family": "web", "memory": "99999999999", "containerDefinitions": [{"name": "a", "image": "i", "memory": 64}]}""", "ClientException", "Invalid 'memory' setting for task")]
    [InlineData("RegisterTaskDefinition", """{"family": "web", "containerDefinitions": [{"name": "a", "image": "i", "memory": 64, "command": [null]}]}""", "InvalidParameterException", "Invalid value for parameter containerDefinitions[0].command[0]")]
    [InlineData("CreateService", """{"serviceName": "s", "taskDefinition": "web", "desiredCount": 2147483647}""", "InvalidParameterException", "desiredCount must be between 0 and 5000")]
    [InlineData("CreateService", """{"serviceName": "s", "taskDefinition": "web", "desiredCount": 1, "propagateTags": "BOGUS"}""", "InvalidParameterException", "propagateTags must be one of: TASK_DEFINITION, SERVICE, NONE.")]
    [InlineData("UpdateService", """{"service": "s", "desiredCount": 5001}""", "InvalidParameterException", "desiredCount must be between 0 and 5000")]
    [InlineData("CreateService", """{"serviceName": "s", "desiredCount": "1"}""", "ClientException", "Invalid type for parameter desiredCount: expected an integer, got a string.")]
    public async Task MalformedInput_IsAShortEcsError(string action, string body, string type, string message)
    {
        using var response = await SendAsync(action, body);

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, type, message);
    }

    [Fact]
    public async Task HugeValue_IsNotEchoedWhole()
    {
        var name = new string('n', 100_000);

        using var response = await SendAsync("CreateService", $$"""{"serviceName": "s", "desiredCount": 1, "launchType": "{{name}}"}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Length < 1024);
    }

    [Theory]
    [InlineData("DescribeServices", """{"cluster": "arn:aws:ecs:us-west-2:000000000000:cluster/prod", "services": ["web"]}""", "ClusterNotFoundException", "Cluster not found.")]
    [InlineData("DeleteCluster", """{"cluster": "arn:aws:ecs:eu-west-1:999999999999:cluster/prod"}""", "ClusterNotFoundException", "Cluster not found.")]
    [InlineData("ListServices", """{"cluster": "arn:aws:ecs:us-east-1:000000000000:cluster/prod"}""", "ClusterNotFoundException", "Cluster not found.")]
    [InlineData("UpdateService", """{"cluster": "prod", "service": "arn:aws:ecs:eu-west-1:999999999999:service/prod/web", "desiredCount": 0}""", "InvalidParameterException", "Service ARN is not valid")]
    [InlineData("DescribeTaskDefinition", """{"taskDefinition": "arn:aws:ecs:us-west-2:000000000000:task-definition/web:1"}""", "InvalidParameterException", "Task definition ARN is not valid")]
    [InlineData("TagResource", """{"resourceArn": "arn:aws:ecs:us-west-2:000000000000:cluster/prod", "tags": [{"key": "k", "value": "v"}]}""", "InvalidParameterException", "Resource ARN is not valid")]
    public async Task ArnOfAnotherRegionOrAccount_NeverActsOnTheLocalResource(string action, string body, string type, string message)
    {
        using var created = await SendAsync("CreateCluster", """{"clusterName": "prod"}""");
        using var registered = await SendAsync("RegisterTaskDefinition", """{"family": "web", "containerDefinitions": [{"name": "a", "image": "i", "memory": 64}]}""");
        Assert.Equal(HttpStatusCode.OK, registered.StatusCode);

        using var response = await SendAsync(action, body);

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, type, message);
        using var described = await SendAsync("DescribeClusters", """{"clusters": ["prod"]}""");
        Assert.Contains("\"ACTIVE\"", await described.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
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
    internal static HttpRequestMessage Signed(string action, string body, string? keyId, string secret, DateTimeOffset at, string region = "eu-west-1",
        string[]? signedHeaders = null)
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
        var authorization = new SigV4.Authorization(keyId, amzDate[..8], region, "ecs", signedHeaders ?? [.. headers.Keys], "");
        var canonical = SigV4.CanonicalRequest("POST", "/", authorization.SignedHeaders, name => headers[name], Encoding.UTF8.GetBytes(body));
        var signature = SigV4.Signature(secret, authorization, SigV4.StringToSign(amzDate, authorization.Scope, canonical));
        request.Headers.TryAddWithoutValidation("Authorization",
            $"AWS4-HMAC-SHA256 Credential={keyId}/{authorization.Scope}, SignedHeaders={string.Join(';', authorization.SignedHeaders)}, Signature={signature}");
        return request;
    }

    /// <summary>A chunked body (no Content-Length) of <c>length</c> bytes of JSON-ish filler, written without holding it.</summary>
    internal sealed class EndlessContent(long length) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            var chunk = new byte[64 * 1024];
            Array.Fill(chunk, (byte)' ');
            for (long sent = 0; sent < length; sent += chunk.Length)
            {
                await stream.WriteAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, length - sent)));
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
