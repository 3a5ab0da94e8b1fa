using Orchestrator.Ecs.Json;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Ecs.Tests.Json;

public sealed class EcsRequestReaderTests
{
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
        const string json = """{"family":"web","containerDefinitions":[{"name":"a","image":"i","memory":64,"secrets":[{"name":"S","valueFrom":"x"}]}]}""";

        var error = Assert.Throws<EcsException>(() => EcsRequestReader.Read<RegisterTaskDefinitionRequest>(json));

        Assert.Equal("Parameter containerDefinitions[0].secrets is not supported by this control plane yet.", error.Message);
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
    [InlineData("""{"family":"web","taskRoleArn":"arn:aws:iam::1:role/r","containerDefinitions":[{"name":"a","image":"i","memory":64}]}""", "taskRoleArn")]
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
}
