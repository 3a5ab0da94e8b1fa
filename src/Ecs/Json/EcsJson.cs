using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestrator.Ecs.Json;

/// <summary>The JSON conventions of ECS's API: camelCase members, nulls omitted, timestamps as epoch seconds.</summary>
public static class EcsJson
{
    /// <summary>Writing responses and reading responses from a server that may know more members than we do.</summary>
    public static JsonSerializerOptions Options { get; } = Create(strict: false, new EpochSecondsConverter());

    /// <summary>
    /// Reading requests: a member we do not implement is an error that names it (see <see cref="EcsRequestReader"/>),
    /// never silently dropped.
    /// </summary>
    public static JsonSerializerOptions Strict { get; } = Create(strict: true, new EpochSecondsConverter());

    /// <summary>Writing for people: timestamps as ISO-8601, indented, as the AWS CLI prints them.</summary>
    public static JsonSerializerOptions Display { get; } = Create(strict: false, new IsoTimestampConverter(), indented: true);

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Deserialize<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException("The document is empty (null).");

    private static JsonSerializerOptions Create(bool strict, JsonConverter timestamps, bool indented = false)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            UnmappedMemberHandling = strict ? JsonUnmappedMemberHandling.Disallow : JsonUnmappedMemberHandling.Skip,
            NumberHandling = JsonNumberHandling.Strict,
            WriteIndented = indented,
            AllowTrailingCommas = false,
            ReadCommentHandling = JsonCommentHandling.Disallow,
        };
        options.Converters.Add(timestamps);
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
