using Orchestrator.Ecs.Json;
using Orchestrator.Ecs.Model;
using Orchestrator.Ecs.Validation;

namespace Orchestrator.Ecs.Tests.Validation;

/// <summary>
/// <c>logConfiguration.secretOptions</c>: read from ECS's JSON and echoed as written (the reference only), valueFrom in
/// one of ECS's secret forms, each option named once among options and secretOptions, and malformed entries refused
/// with a short ECS-style error.
/// </summary>
public sealed class LogSecretOptionsValidationTests
{
    private static RegisterTaskDefinitionRequest Register(string secretOptions, string options = "{}") =>
        TaskDefinitionValidator.Validate(EcsRequestReader.Read<RegisterTaskDefinitionRequest>(
            """{"family":"app","containerDefinitions":[{"name":"main","image":"local/busybox:1","memory":64,"logConfiguration":{"logDriver":"splunk","options":"""
            + options + ""","secretOptions":""" + secretOptions + "}}]}"));

    [Theory]
    [InlineData("arn:aws:secretsmanager:us-east-1:000000000000:secret:splunk-AbCdEf")]
    [InlineData("arn:aws:ssm:us-east-1:000000000000:parameter/splunk/token")]
    [InlineData("splunk-token")]
    public void SecretOptions_InEcsForms_AreKeptAsWritten(string valueFrom)
    {
        var request = Register($$"""[{"name":"splunk-token","valueFrom":"{{valueFrom}}"}]""", """{"splunk-url":"https://splunk.example:8088"}""");

        var option = Assert.Single(request.ContainerDefinitions![0].LogConfiguration!.SecretOptions!);
        Assert.Equal(new Secret("splunk-token", valueFrom), option);
        Assert.Contains($$"""
            "secretOptions":[{"name":"splunk-token","valueFrom":"{{valueFrom}}"}]
            """.Trim(), EcsJson.Serialize(request), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""[{"valueFrom":"x"}]""", "Every secret option needs a name.")]
    [InlineData("""[{"name":"tag"}]""", "Secret option 'tag' needs a valueFrom.")]
    [InlineData("""[{"name":"tag","valueFrom":"has space"}]""", "a secret name is 1 to 512 letters")]
    [InlineData("""[{"name":"tag","valueFrom":"arn:aws:s3:us-east-1:0:bucket/x"}]""", "valueFrom must name a Secrets Manager secret")]
    [InlineData("""[{"name":"tag","valueFrom":"a"},{"name":"tag","valueFrom":"b"}]""", "The option 'tag' is given more than once")]
    [InlineData("""[{"name":"max-size","valueFrom":"a"}]""", "The option 'max-size' is given more than once among options and secretOptions.")]
    public void Invalid_IsRefused_WithTheReason(string secretOptions, string expected)
    {
        var error = Assert.Throws<EcsException>(() => Register(secretOptions, """{"max-size":"1m"}"""));

        Assert.Equal(EcsErrors.Client, error.ErrorType);
        Assert.StartsWith("Invalid logConfiguration.secretOptions setting for container 'main'.", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownMember_IsRefusedByPath()
    {
        var error = Assert.Throws<EcsException>(() => Register("""[{"name":"tag","valueFrom":"x","value":"clear"}]"""));

        Assert.Contains("logConfiguration.secretOptions[0].value", error.Message, StringComparison.Ordinal);
    }
}
