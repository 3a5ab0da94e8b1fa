using System.Text.Json;
using Orchestrator.Ecs.Json;

namespace Orchestrator.Ecs.Tests.Json;

/// <summary>ECS timestamps in requests: epoch seconds with a fraction, or ISO-8601; anything out of range is malformed, not a crash.</summary>
public sealed class EpochSecondsConverterTests
{
    private static readonly JsonSerializerOptions Options = new() { Converters = { new EpochSecondsConverter() } };

    [Fact]
    public void Read_EpochSecondsWithAFraction_IsThatInstant() =>
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_480_729_663_517), JsonSerializer.Deserialize<DateTimeOffset>("1480729663.517", Options));

    [Theory]
    [InlineData("2147483648000")]
    [InlineData("9223372036854775808")]
    [InlineData("-99999999999999")]
    [InlineData("1e400")]
    [InlineData("\"1 vCPU\"")]
    public void Read_OutOfRangeOrNotATime_IsAJsonException(string json) =>
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<DateTimeOffset>(json, Options));
}
