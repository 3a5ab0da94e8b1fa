using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestrator.Ecs.Json;

/// <summary>
/// ECS timestamps on the wire: epoch seconds with a millisecond fraction (<c>1480729663.517</c>). Reading also takes
/// ISO-8601 strings, which some clients send.
/// </summary>
public sealed class EpochSecondsConverter : JsonConverter<DateTimeOffset>
{
    private static readonly decimal MinSeconds = DateTimeOffset.MinValue.ToUnixTimeSeconds();
    private static readonly decimal MaxSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            // Out of DateTimeOffset's range (years 1-9999), or not a decimal at all (1e400): a malformed request, not a crash.
            if (!reader.TryGetDecimal(out var seconds) || seconds < MinSeconds || seconds > MaxSeconds)
            {
                throw new JsonException("Expected a timestamp in epoch seconds between years 1 and 9999.");
            }

            return DateTimeOffset.FromUnixTimeMilliseconds((long)decimal.Round(seconds * 1000m));
        }

        if (reader.TokenType == JsonTokenType.String &&
            DateTimeOffset.TryParse(reader.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            return parsed;
        }

        throw new JsonException("Expected a timestamp as epoch seconds or an ISO-8601 string.");
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteNumberValue(value.ToUnixTimeMilliseconds() / 1000m);
}

/// <summary>Timestamps as the AWS CLI prints them: ISO-8601 with microseconds and offset.</summary>
public sealed class IsoTimestampConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DateTimeOffset.Parse(reader.GetString() ?? "", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(Text(value));

    /// <summary>The text this converter writes, for a document built by hand (null stays null).</summary>
    public static string? Text(DateTimeOffset? value) =>
        value?.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.ffffffzzz", CultureInfo.InvariantCulture);

    private static string Text(DateTimeOffset value) => Text((DateTimeOffset?)value)!;
}
