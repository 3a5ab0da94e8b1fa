using System.Text;
using Orchestrator.ControlPlane.Http;
using Orchestrator.ControlPlane.Security;

namespace Orchestrator.ControlPlane.Tests.Http;

/// <summary>Against AWS's published Signature Version 4 test suite (get-vanilla, post-vanilla).</summary>
public sealed class SigV4Tests
{
    private const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    [Theory]
    [InlineData("GET", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")]
    [InlineData("POST", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b")]
    public void Signature_AwsTestSuiteVanillaRequests_MatchesPublishedSignature(string method, string expected)
    {
        var authorization = SigV4.ParseAuthorization(
            $"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature={expected}")!;
        var headers = new Dictionary<string, string> { ["host"] = "example.amazonaws.com", ["x-amz-date"] = "20150830T123600Z" };

        var canonical = SigV4.CanonicalRequest(method, "/", authorization.SignedHeaders, name => headers[name], []);
        var signature = SigV4.Signature(Secret, authorization, SigV4.StringToSign("20150830T123600Z", authorization.Scope, canonical));

        Assert.Equal(expected, signature);
    }

    [Fact]
    public void ParseAuthorization_AwsCliHeader_GivesItsParts()
    {
        var authorization = SigV4.ParseAuthorization(
            "AWS4-HMAC-SHA256 Credential=AKID/20261130/eu-west-1/ecs/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=abc");

        Assert.NotNull(authorization);
        Assert.Equal(("AKID", "20261130", "eu-west-1", "ecs"), (authorization.AccessKeyId, authorization.Date, authorization.Region, authorization.Service));
        Assert.Equal(["content-type", "host", "x-amz-date", "x-amz-target"], authorization.SignedHeaders);
        Assert.Equal("20261130/eu-west-1/ecs/aws4_request", authorization.Scope);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKID/20261130/eu-west-1/ecs, SignedHeaders=host, Signature=abc")]
    public void ParseAuthorization_NotSigV4_IsNull(string header) => Assert.Null(SigV4.ParseAuthorization(header));

    [Fact]
    public void CanonicalRequest_BodyAndCollapsedHeaderSpaces_AreCanonical()
    {
        var canonical = SigV4.CanonicalRequest("POST", "/", ["host", "x-amz-target"],
            name => name == "host" ? "127.0.0.1:8080" : "  AmazonEC2ContainerServiceV20141113.ListClusters   extra ", Encoding.UTF8.GetBytes("{}"));

        Assert.Equal(
            "POST\n/\n\nhost:127.0.0.1:8080\nx-amz-target:AmazonEC2ContainerServiceV20141113.ListClusters extra\n\nhost;x-amz-target\n" +
            "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
            canonical);
    }
}
