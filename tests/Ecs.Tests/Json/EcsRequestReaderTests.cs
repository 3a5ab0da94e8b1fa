using Orchestrator.Ecs.Json;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Ecs.Tests.Json;

public sealed class EcsRequestReaderTests
{
    private const string LoneSurrogate = "The request contains a string that is not valid Unicode (a lone surrogate).";

    [Fact]
    public void Read_MalformedJson_NamesLineAndColumn()
    {
        const string json = "{\n  \"family\": \"web\",\n  \"containerDefinitions\": [ { \"name\" \"web\" } ]\n}";

        var error = Assert.Throws<EcsException>(() => EcsRequestReader.Read<RegisterTaskDefinitionRequest>(json));

        Assert.Equal(EcsErrors.Client, error.ErrorType);
        Assert.StartsWith("Malformed JSON at line 3, column 38:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_EcsMemberNotImplemented_NamesItsPath()
    {
        const string json = """{"family":"web","containerDefinitions":[{"name":"a","image":"i","memory":64,"firelensConfiguration":{"type":"fluentbit"}}]}""";

        var error = Assert.Throws<EcsException>(() => EcsRequestReader.Read<RegisterTaskDefinitionRequest>(json));

        Assert.StartsWith("Parameter containerDefinitions[0].firelensConfiguration is not supported by this control plane yet", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"family":"web","taskRoleArn":"","containerDefinitions":[{"name":"a","image":"i","memory":64}]}""")]
    [InlineData("""{"family":"web","executionRoleArn":"","containerDefinitions":[{"name":"a","image":"i","memory":64,"secrets":[]}]}""")]
    [InlineData("""{"family":"web","containerDefinitions":[{"name":"a","image":"i","memory":64,"repositoryCredentials":{}}]}""")]
    public void Read_EcsMemberNotImplemented_ButEmpty_AsksForNothingAndIsRead(string json)
    {
        var request = EcsRequestReader.Read<RegisterTaskDefinitionRequest>(json);

        Assert.Equal("web", request.Family);
    }

    [Theory]
    [InlineData("""{"family":"web","executionRoleArn":"arn:aws:iam::1:role/r","containerDefinitions":[{"name":"a","image":"i","memory":64}]}""", "executionRoleArn")]
    [InlineData("""{"family":"web","containerDefinitions":[{"name":"a","imgae":""}]}""", "containerDefinitions[0].imgae")]
    public void Read_NotEmptyOrNotAnEcsMember_IsStillRefused(string json, string path)
    {
        var error = Assert.Throws<EcsException>(() => EcsRequestReader.Read<RegisterTaskDefinitionRequest>(json));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_UnknownMember_IsCalledUnknown()
    {
        const string json = """{"family":"web","containerDefinitions":[{"name":"a","imgae":"i"}]}""";

        var error = Assert.Throws<EcsException>(() => EcsRequestReader.Read<RegisterTaskDefinitionRequest>(json));

        Assert.Equal("Unknown parameter containerDefinitions[0].imgae.", error.Message);
    }

    [Theory]
    [InlineData("""{"family":"web","containerDefinitions":[{"name":"a","memory":"64"}]}""", "containerDefinitions[0].memory: expected an integer, got a string")]
    [InlineData("""{"family":"web","containerDefinitions":{"name":"a"}}""", "containerDefinitions: expected a list, got an object")]
    [InlineData("""{"family":5}""", "family: expected a string, got an integer")]
    [InlineData("""{"family":"web","containerDefinitions":[{"essential":"yes"}]}""", "containerDefinitions[0].essential: expected true or false, got a string")]
    public void Read_WrongType_NamesPathAndExpectedType(string json, string detail)
    {
        var error = Assert.Throws<EcsException>(() => EcsRequestReader.Read<RegisterTaskDefinitionRequest>(json));

        Assert.Equal($"Invalid type for parameter {detail}.", error.Message);
    }

    [Fact]
    public void Read_NullMembers_AreTreatedAsAbsent()
    {
        var request = EcsRequestReader.Read<RegisterTaskDefinitionRequest>("""{"family":"web","networkMode":null,"containerDefinitions":[{"name":"a","image":"i","memory":64,"secrets":null}]}""");

        Assert.Null(request.NetworkMode);
    }

    [Fact]
    public void Read_NotAnObject_IsRefused()
    {
        var error = Assert.Throws<EcsException>(() => EcsRequestReader.Read<RegisterTaskDefinitionRequest>("[1]"));

        Assert.Equal("Invalid type for parameter (request): expected an object, got a list.", error.Message);
    }

    [Theory]
    [InlineData("""{"family":"web","containerDefinitions":[null]}""", "containerDefinitions[0]")]
    [InlineData("""{"family":"web","containerDefinitions":[{"name":"a","image":"i","memory":64,"command":[null]}]}""", "containerDefinitions[0].command[0]")]
    [InlineData("""{"family":"web","containerDefinitions":[{"name":"a","image":"i","memory":64,"portMappings":[null]}]}""", "containerDefinitions[0].portMappings[0]")]
    [InlineData("""{"family":"web","containerDefinitions":[{"name":"a","image":"i","memory":64,"environment":[null]}]}""", "containerDefinitions[0].environment[0]")]
    [InlineData("""{"family":"web","containerDefinitions":[{"name":"a","image":"i","memory":64,"dockerLabels":{"k":null}}]}""", "containerDefinitions[0].dockerLabels.k")]
    [InlineData("""{"family":"web","tags":[null],"containerDefinitions":[]}""", "tags[0]")]
    public void Read_NullInAListOrMap_IsRefusedNamingTheMember(string json, string path)
    {
        var error = Assert.Throws<EcsException>(() => EcsRequestReader.Read<RegisterTaskDefinitionRequest>(json));

        Assert.Equal(EcsErrors.InvalidParameter, error.ErrorType);
        Assert.Equal($"Invalid value for parameter {path}: null is not allowed in a list or map.", error.Message);
    }

    [Fact]
    public void Read_ClusterSettingsWithNull_IsRefused()
    {
        var error = Assert.Throws<EcsException>(() => EcsRequestReader.Read<CreateClusterRequest>("""{"settings":[null]}"""));

        Assert.Equal(EcsErrors.InvalidParameter, error.ErrorType);
        Assert.Contains("settings[0]", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("null", "Invalid type for parameter (request): expected an object, got null.")]
    [InlineData("[]", "Invalid type for parameter (request): expected an object, got a list.")]
    [InlineData("\"web\"", "Invalid type for parameter (request): expected an object, got a string.")]
    [InlineData("42", "Invalid type for parameter (request): expected an object, got an integer.")]
    [InlineData("""{"family":"\ud800","containerDefinitions":[]}""", LoneSurrogate)]
    [InlineData("""{"family":"web","containerDefinitions":[{"name":"a","image":"i","memory":64,"dockerLabels":{"\udc00":"v"}}]}""", LoneSurrogate)]
    [InlineData("""{"family":"web","containerDefinitions":[{"name":"a","image":"i","memory":64,"command":["x\udfffy"]}]}""", LoneSurrogate)]
    public void Read_DocumentNoReplyCouldCarry_IsAClientError(string json, string message)
    {
        var error = Assert.Throws<EcsException>(() => EcsRequestReader.Read<RegisterTaskDefinitionRequest>(json));

        Assert.Equal(EcsErrors.Client, error.ErrorType);
        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData("""{"serviceName":"s","desiredCount":2147483648}""", "Invalid value for parameter desiredCount: the number is too large.")]
    [InlineData("""{"serviceName":"s","desiredCount":1.5}""", "Invalid type for parameter desiredCount: expected an integer, got a number.")]
    [InlineData("""{"serviceName":"s","desiredCount":"2"}""", "Invalid type for parameter desiredCount: expected an integer, got a string.")]
    public void Read_NumberOfTheWrongKind_IsSaidInPlainWords(string json, string message)
    {
        var error = Assert.Throws<EcsException>(() => EcsRequestReader.Read<CreateServiceRequest>(json));

        Assert.Equal(message, error.Message);
        Assert.DoesNotContain("System.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_HugeUnknownMember_IsNamedCut()
    {
        var name = new string('x', 100_000);

        var error = Assert.Throws<EcsException>(() => EcsRequestReader.Read<CreateServiceRequest>($$"""{"{{name}}":1}"""));

        Assert.True(error.Message.Length < 200, error.Message);
        Assert.StartsWith("Unknown parameter xxxx", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("….", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_DeepNesting_IsMalformedNotAStackOverflow()
    {
        var json = "{\"tags\":" + new string('[', 10_000) + new string(']', 10_000) + "}";

        var error = Assert.Throws<EcsException>(() => EcsRequestReader.Read<CreateClusterRequest>(json));

        Assert.StartsWith("Malformed JSON", error.Message, StringComparison.Ordinal);
    }
}
