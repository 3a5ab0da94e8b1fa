using Orchestrator.Ecs.Json;
using Orchestrator.Ecs.Model;
using Orchestrator.Ecs.Validation;

namespace Orchestrator.Ecs.Tests.Validation;

/// <summary>
/// <c>containerDefinitions[].secrets</c>: read from ECS's JSON, checked with ECS's rules (name and valueFrom required,
/// each variable once among environment and secrets, valueFrom in one of ECS's forms), and <see cref="SecretReference"/>
/// over each form.
/// </summary>
public sealed class SecretsValidationTests
{
    private static RegisterTaskDefinitionRequest Register(string secrets, string environment = "[]") =>
        TaskDefinitionValidator.Validate(EcsRequestReader.Read<RegisterTaskDefinitionRequest>($$"""
            {"family":"app","containerDefinitions":[{"name":"main","image":"local/busybox:1","memory":64,
              "environment":{{environment}},"secrets":{{secrets}}}]}
            """));

    [Fact]
    public void Secrets_AreRead_AndKeptAsWritten()
    {
        var request = Register("""
            [{"name":"A","valueFrom":"arn:aws:secretsmanager:us-east-1:000000000000:secret:db-AbCdEf"},
             {"name":"B","valueFrom":"arn:aws:ssm:eu-west-1:000000000000:parameter/app/token"},
             {"name":"C","valueFrom":"plain-name"},
             {"name":"D","valueFrom":"arn:aws:secretsmanager:us-east-1:000000000000:secret:creds:username::"}]
            """, """[{"name":"E","value":"e"}]""");

        var secrets = request.ContainerDefinitions![0].Secrets!;
        Assert.Equal(["A", "B", "C", "D"], secrets.Select(s => s.Name));
        Assert.Equal("arn:aws:ssm:eu-west-1:000000000000:parameter/app/token", secrets[1].ValueFrom);
        Assert.Contains("\"valueFrom\":\"plain-name\"", EcsJson.Serialize(request), StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> Invalid => new()
    {
        { """[{"valueFrom":"x"}]""", "[]", "Every secret needs a name." },
        { """[{"name":"A"}]""", "[]", "Secret 'A' needs a valueFrom." },
        { """[{"name":"A","valueFrom":""}]""", "[]", "Secret 'A' needs a valueFrom." },
        { """[{"name":"A=B","valueFrom":"x"}]""", "[]", "without an equals sign" },
        { """[{"name":"A","valueFrom":"x"},{"name":"A","valueFrom":"y"}]""", "[]", "The variable 'A' is defined more than once among environment and secrets." },
        { """[{"name":"A","valueFrom":"x"}]""", """[{"name":"A","value":"v"}]""", "The variable 'A' is defined more than once among environment and secrets." },
        { """[{"name":"A","valueFrom":"has space"}]""", "[]", "a secret name is 1 to 512 letters" },
        { """[{"name":"A","valueFrom":"arn:aws:secretsmanager:us-east-1:0:secret:a:b"}]""", "[]", "an invalid ARN format for the AWS Secrets Manager secret" },
        { """[{"name":"A","valueFrom":"arn:aws:secretsmanager:us-east-1:0:secret:a:k:AWSCURRENT:id"}]""", "[]", "mutually exclusive" },
        { """[{"name":"A","valueFrom":"arn:aws:s3:us-east-1:0:bucket/x"}]""", "[]", "valueFrom must name a Secrets Manager secret" },
        { """[{"name":"A","valueFrom":"arn:aws:ssm:us-east-1:0:document/x"}]""", "[]", "valueFrom must name a Secrets Manager secret" },
        { """[{"name":"A","valueFrom":"arn:aws"}]""", "[]", "an invalid ARN format" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Invalid_IsRefused_WithTheReason(string secrets, string environment, string expected)
    {
        var error = Assert.Throws<EcsException>(() => Register(secrets, environment));

        Assert.Equal(EcsErrors.Client, error.ErrorType);
        Assert.StartsWith("Invalid secrets setting for container 'main'.", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("db", new[] { "db" }, null)]
    [InlineData("/app/db", new[] { "/app/db", "app/db" }, null)]
    [InlineData("arn:aws:secretsmanager:us-east-1:000000000000:secret:db", new[] { "db" }, null)]
    [InlineData("arn:aws:secretsmanager:us-east-1:000000000000:secret:db-AbCdEf", new[] { "db-AbCdEf", "db" }, null)]
    [InlineData("arn:aws:secretsmanager:us-east-1:000000000000:secret:db:password::", new[] { "db" }, "password")]
    [InlineData("arn:aws:ssm:us-east-1:000000000000:parameter/db", new[] { "db", "/db" }, null)]
    [InlineData("arn:aws:ssm:us-east-1:000000000000:parameter/app/db", new[] { "app/db", "/app/db" }, null)]
    public void ValueFrom_NamesTheCandidates(string valueFrom, string[] candidates, string? jsonKey)
    {
        var reference = SecretReference.Parse(valueFrom, out var problem);

        Assert.Equal("", problem);
        Assert.Equal(candidates, reference!.Candidates);
        Assert.Equal(jsonKey, reference.JsonKey);
    }

    [Theory]
    [InlineData("a", true)]
    [InlineData("A-z_0/9+=.@", true)]
    [InlineData("", false)]
    [InlineData("a b", false)]
    [InlineData("a:b", false)]
    [InlineData("é", false)]
    public void Names_FollowSecretsManagersRules(string name, bool valid)
    {
        Assert.Equal(valid, SecretReference.IsValidName(name));
        Assert.True(SecretReference.IsValidName(new string('a', 512)));
        Assert.False(SecretReference.IsValidName(new string('a', 513)));
    }
}
