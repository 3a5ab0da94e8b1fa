using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Orchestrator.Ecs.Json;

/// <summary>The JSON conventions of ECS's API: camelCase members, nulls omitted, timestamps as epoch seconds.</summary>
public static class EcsJson
{
    /// <summary>
    /// The wire format. Unknown members are skipped when reading, so a client can read a newer server's responses;
    /// requests are checked member by member by <see cref="EcsRequestReader"/> before they are read.
    /// </summary>
    public static JsonSerializerOptions Options { get; } = Create(new EpochSecondsConverter());

    /// <summary>Writing for people: timestamps as ISO-8601, indented, as the AWS CLI prints them.</summary>
    public static JsonSerializerOptions Display { get; } = Create(new IsoTimestampConverter(), indented: true);

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Deserialize<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException("The document is empty (null).");

    private static JsonSerializerOptions Create(JsonConverter timestamps, bool indented = false)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
            NumberHandling = JsonNumberHandling.Strict,
            WriteIndented = indented,
            // Responses are JSON documents, not HTML: "+00:00" stays "+00:00".
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            AllowTrailingCommas = false,
            ReadCommentHandling = JsonCommentHandling.Disallow,
            // The generated metadata first (fast, and all a native build has); reflection for any other type.
            TypeInfoResolver = JsonSerializer.IsReflectionEnabledByDefault
                ? JsonTypeInfoResolver.Combine(EcsJsonContext.Default, new DefaultJsonTypeInfoResolver())
                : EcsJsonContext.Default,
        };
        options.Converters.Add(timestamps);
        options.MakeReadOnly();
        return options;
    }
}
