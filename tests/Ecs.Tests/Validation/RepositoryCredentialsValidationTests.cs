using Orchestrator.Ecs.Json;
using Orchestrator.Ecs.Model;
using Orchestrator.Ecs.Validation;

namespace Orchestrator.Ecs.Tests.Validation;

/// <summary>
/// <c>containerDefinitions[].repositoryCredentials</c>: read from ECS's JSON and echoed as written (only the reference,
/// never a value), <c>credentialsParameter</c> in one of ECS's secret forms, an empty object asking for nothing.
/// </summary>
public sealed class RepositoryCredentialsValidationTests
{
    private static RegisterTaskDefinitionRequest Register(string credentials) =>
        TaskDefinitionValidator.Validate(EcsRequestReader.Read<RegisterTaskDefinitionRequest>($$"""
            {"family":"app","containerDefinitions":[{"name":"main","image":"registry.example:5000/app:1","memory":64,
              "repositoryCredentials":{{credentials}}}]}
            """));

    [Theory]
    [InlineData("arn:aws:secretsmanager:us-east-1:000000000000:secret:registry-AbCdEf")]
    [InlineData("arn:aws:ssm:us-east-1:000000000000:parameter/registry/login")]
    [InlineData("registry-login")]
    public void CredentialsParameter_InEcsForms_IsKeptAsWritten(string parameter)
    {
        var request = Register($$"""{"credentialsParameter":"{{parameter}}"}""");

        Assert.Equal(parameter, request.ContainerDefinitions![0].RepositoryCredentials!.CredentialsParameter);
        Assert.Contains($$"""
            "repositoryCredentials":{"credentialsParameter":"{{parameter}}"}
            """.Trim(), EcsJson.Serialize(request), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"credentialsParameter":"has space"}""", "a secret name is 1 to 512 letters")]
    [InlineData("""{"credentialsParameter":"arn:aws:s3:us-east-1:0:bucket/x"}""", "valueFrom must name a Secrets Manager secret")]
    [InlineData("""{"credentialsParameter":"arn:aws"}""", "an invalid ARN format")]
    public void Invalid_IsRefused_WithTheReason(string credentials, string expected)
    {
        var error = Assert.Throws<EcsException>(() => Register(credentials));

        Assert.Equal(EcsErrors.Client, error.ErrorType);
        Assert.StartsWith("Invalid repositoryCredentials setting for container 'main'.", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_AsksForNothing()
    {
        var request = Register("{}");

        Assert.Null(request.ContainerDefinitions![0].RepositoryCredentials?.CredentialsParameter);
    }

    [Fact]
    public void UnknownMember_IsRefused()
    {
        var error = Assert.Throws<EcsException>(() => Register("""{"credentialsParameter":"x","username":"u"}"""));

        Assert.Contains("repositoryCredentials.username", error.Message, StringComparison.Ordinal);
    }
}
