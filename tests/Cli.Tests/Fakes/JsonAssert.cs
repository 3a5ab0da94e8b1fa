using System.Text.Json.Nodes;

namespace Orchestrator.Cli.Tests.Fakes;

internal static class JsonAssert
{
    /// <summary>Asserts two JSON documents are equal as JSON (member order and whitespace aside).</summary>
    public static void Equal(string expected, string actual)
    {
        var equal = JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual));
        Assert.True(equal, $"Expected JSON {expected}\nbut got {actual}");
    }
}
