using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Orchestrator.ControlPlane.Application;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Json;

namespace Orchestrator.ControlPlane.Tests.Contract;

/// <summary>
/// ECS's documented examples (botocore's examples-1.json) against the control plane's own shapes: every example
/// request of an implemented action is read as it is, or refused by the path of a member this project does not
/// implement; every example response reads into the action's response shape and writes back with each value it
/// carries unchanged — member names, JSON types, enum spellings and timestamps as ECS documents them.
/// </summary>
public sealed class EcsDocumentedExamplesTests
{
    /// <summary>
    /// Members of documented examples this project does not implement, with the reason: refused by name in requests,
    /// left out of responses.
    /// </summary>
    private static readonly Dictionary<string, string> NotImplemented = new(StringComparer.Ordinal)
    {
        ["loadBalancers"] = "the documented examples name Classic Load Balancers (loadBalancerName), which the built-in balancer refuses",
        ["role"] = "no IAM: the service role of a load-balanced service",
        ["roleArn"] = "no IAM: the service role of a load-balanced service, as a service shows it",
    };

    private static readonly Lazy<JsonObject> Examples = new(() => JsonNode.Parse(
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Contract", "ecs-2014-11-13.examples.json")))!["examples"]!.AsObject());

    public static TheoryData<string, int> ImplementedExamples()
    {
        var data = new TheoryData<string, int>();
        foreach (var (action, examples) in Examples.Value.Where(e => EcsActions.Shapes.ContainsKey(e.Key)).OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            for (var i = 0; i < examples!.AsArray().Count; i++)
            {
                data.Add(action, i);
            }
        }

        return data;
    }

    private static JsonNode Example(string action, int index, string part) => Examples.Value[action]![index]![part]!;

    [Fact]
    public void TheExamples_CoverTheActionsUsersCallMost()
    {
        var covered = ImplementedExamples().Select(row => row.Data.Item1).ToHashSet(StringComparer.Ordinal);

        Assert.Superset(
            new HashSet<string>(["CreateCluster", "RegisterTaskDefinition", "RunTask", "DescribeTasks", "ListTasks", "CreateService", "UpdateService", "DescribeServices", "DescribeContainerInstances"], StringComparer.Ordinal),
            covered);
    }

    [Theory]
    [MemberData(nameof(ImplementedExamples))]
    public void DocumentedRequest_IsReadAsItIs_OrRefusedByTheMemberNotImplemented(string action, int index)
    {
        var json = Example(action, index, "input").ToJsonString();

        try
        {
            Read(EcsActions.Shapes[action].Request, json);
        }
        catch (EcsException e)
        {
            Assert.Equal(EcsErrors.Client, e.ErrorType);
            Assert.True(NotImplemented.Keys.Any(member => e.Message.Contains(member, StringComparison.Ordinal)), $"{action} example {index}: {e.Message}");
        }
    }

    [Theory]
    [MemberData(nameof(ImplementedExamples))]
    public void DocumentedResponse_ReadsIntoOurShape_AndEveryValueWeCarryComesBackUnchanged(string action, int index)
    {
        var documented = WithEpochTimestamps(Example(action, index, "output"));
        var type = EcsActions.Shapes[action].Response;

        var read = JsonSerializer.Deserialize(documented.ToJsonString(), type, EcsJson.Options);
        var written = JsonNode.Parse(JsonSerializer.Serialize(read, type, EcsJson.Options))!;

        var carried = 0;
        Compare(documented, written, action, ref carried);
        Assert.True(carried > 0 || documented.AsObject().Count == 0, $"{action} example {index}: none of the documented members came back");
    }

    private static void Read(Type request, string json)
    {
        try
        {
            typeof(EcsRequestReader).GetMethod(nameof(EcsRequestReader.Read))!.MakeGenericMethod(request).Invoke(null, [json]);
        }
        catch (TargetInvocationException e) when (e.InnerException is EcsException inner)
        {
            throw inner;
        }
    }

    /// <summary>
    /// Walks the documented value: every member that came back must equal it (numbers to the millisecond); members
    /// that did not come back are ones the shape does not carry, and none of them may be one it does.
    /// </summary>
    private static void Compare(JsonNode documented, JsonNode? written, string path, ref int carried)
    {
        switch (documented)
        {
            case JsonObject expected:
                var actual = Assert.IsType<JsonObject>(written);
                foreach (var (name, value) in expected)
                {
                    if (value is null)
                    {
                        continue;
                    }

                    if (actual[name] is { } came)
                    {
                        carried++;
                        Compare(value, came, $"{path}.{name}", ref carried);
                    }
                    else
                    {
                        Assert.True(IsEmpty(value) || NotImplemented.ContainsKey(name), $"{path}.{name} = {value.ToJsonString()} was dropped");
                    }
                }

                break;
            case JsonArray expected:
                var list = Assert.IsType<JsonArray>(written);
                Assert.Equal(expected.Count, list.Count);
                for (var i = 0; i < expected.Count; i++)
                {
                    Compare(expected[i]!, list[i], $"{path}[{i}]", ref carried);
                }

                break;
            case JsonValue expected when expected.GetValueKind() == JsonValueKind.Number:
                var number = Assert.IsAssignableFrom<JsonValue>(written);
                Assert.True(number.GetValueKind() == JsonValueKind.Number, $"{path}: {number.ToJsonString()} is not a number");
                Assert.Equal(expected.GetValue<double>(), number.GetValue<double>(), 3);
                break;
            default:
                Assert.True(JsonNode.DeepEquals(documented, written), $"{path}: documented {documented.ToJsonString()}, came back {written?.ToJsonString()}");
                break;
        }
    }

    /// <summary>Empty lists and objects, which the shapes leave out rather than write.</summary>
    private static bool IsEmpty(JsonNode value) => value is JsonArray { Count: 0 } or JsonObject { Count: 0 };

    /// <summary>The documentation writes some timestamps as ISO strings; on the wire they are epoch seconds.</summary>
    private static JsonNode WithEpochTimestamps(JsonNode node)
    {
        var copy = node.DeepClone();
        Convert(copy);
        return copy;

        static void Convert(JsonNode? node)
        {
            switch (node)
            {
                case JsonObject obj:
                    foreach (var name in obj.Select(p => p.Key).ToList())
                    {
                        if (obj[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String
                            && name.EndsWith("At", StringComparison.Ordinal)
                            && DateTimeOffset.TryParse(value.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
                        {
                            obj[name] = at.ToUnixTimeMilliseconds() / 1000.0;
                        }
                        else
                        {
                            Convert(obj[name]);
                        }
                    }

                    break;
                case JsonArray array:
                    foreach (var item in array)
                    {
                        Convert(item);
                    }

                    break;
            }
        }
    }
}
