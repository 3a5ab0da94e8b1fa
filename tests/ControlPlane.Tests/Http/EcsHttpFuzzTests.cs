using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CsCheck;
using Orchestrator.ControlPlane.Application;
using Orchestrator.Ecs.Json;

namespace Orchestrator.ControlPlane.Tests.Http;

/// <summary>
/// Generated requests for every implemented action, built from its request type member by member, with hostile
/// values mixed in (wrong types, nulls, huge strings, lone surrogates, int overflow, deep nesting, <c>[null]</c>
/// lists), signed and sent through the HTTP endpoint: never a 5xx, and every error short and ECS-shaped.
/// </summary>
public sealed class EcsHttpFuzzTests : IAsyncLifetime
{
    private const int RequestsPerAction = 100;
    private static readonly string HugeString = new('x', 100_000);
    private static readonly string DeepNesting = new string('[', 10_000) + new string(']', 10_000);

    private static readonly string[] Hostile =
    [
        "null", "[null]", "[[null]]", "{\"x\": null}", "true", "{}", "[]", "\"\"", "-1", "0", "1.5", "1e400",
        "2147483648", "-2147483649", "9223372036854775808", "\"" + HugeString + "\"", "\"a\\ud800b\"", "\"\\udc00\"",
        "\"2147483648\"", "\"99999999999 GB\"", DeepNesting, "[" + DeepNesting + "]", "{\"" + HugeString + "\": 1}",
        "\"arn:aws:ecs:us-west-2:999999999999:cluster/default\"", "\"BOGUS\"",
    ];

    private static readonly string[] Strings =
    [
        "default", "web", "web:1", "prod", "a", "EC2", "REPLICA", "DAEMON", "NONE", "SERVICE", "ACTIVE", "TAGS", "bridge",
        "awsvpc", "0123456789abcdef0123456789abcdef", "arn:aws:ecs:eu-west-1:000000000000:cluster/default",
        "arn:aws:ecs:eu-west-1:000000000000:task-definition/web:1", "arn:aws:ecs:us-west-2:000000000000:service/default/web",
        "container-instance", "attribute:ecs.os-type == linux", "1 vCPU", "512", "99999999999",
    ];

    private EcsHttpTestHost? _host;
    private int _succeeded;
    private int _refused;

    public async ValueTask InitializeAsync() => _host = await EcsHttpTestHost.StartAsync(TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    [Fact]
    public async Task AnyGeneratedRequest_ToAnyAction_IsNeverA5xxAndErrorsAreShortAndEcsShaped()
    {
        var actions = EcsActions.Shapes.OrderBy(a => a.Key, StringComparer.Ordinal).ToArray();
        var failures = new List<string>();
        var gen = Gen.Select(Gen.Int[0, actions.Length - 1], Gen.Int);
        await gen.SampleAsync(async sample =>
        {
            var (index, seed) = sample;
            var (action, shape) = actions[index];
            var random = new Random(seed);
            var body = random.Next(10) == 0 ? Pick(random, Hostile) : Value(shape.Request, random, depth: 0, hostileOdds: 4);
            var problem = await SendAsync(action, body);
            if (problem is not null)
            {
                lock (failures)
                {
                    failures.Add($"{action} {Cut(body)}: {problem}");
                }
            }
        }, iter: RequestsPerAction * actions.Length, threads: 1);

        Assert.Empty(failures);
        Assert.True(_succeeded > actions.Length && _refused > actions.Length, $"{_succeeded} succeeded, {_refused} refused: the generator misses one side");
    }

    [Fact]
    public async Task FixedHostileDocuments_ToEveryAction_AreNeverA5xx()
    {
        var problems = new List<string>();
        foreach (var action in EcsActions.Names)
        {
            foreach (var body in Hostile)
            {
                if (await SendAsync(action, body) is { } problem)
                {
                    problems.Add($"{action} {Cut(body)}: {problem}");
                }
            }
        }

        Assert.Empty(problems);
    }

    /// <summary>Sends a signed request; returns what is wrong with the answer, or null.</summary>
    private async Task<string?> SendAsync(string action, string body)
    {
        using var request = EcsHttpEndpointTests.Signed(action, body, EcsHttpTestHost.KeyId, EcsHttpTestHost.Secret, DateTimeOffset.UtcNow);
        using var response = await _host!.Client.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        if ((int)response.StatusCode >= 500)
        {
            return $"{(int)response.StatusCode} {Cut(text)}";
        }

        if (response.StatusCode == HttpStatusCode.OK)
        {
            Interlocked.Increment(ref _succeeded);
            return null;
        }

        Interlocked.Increment(ref _refused);
        try
        {
            var error = JsonDocument.Parse(text).RootElement;
            var message = error.GetProperty("message").GetString() ?? "";
            return string.IsNullOrEmpty(error.GetProperty("__type").GetString()) ? "no __type"
                : message.Length > 1024 ? $"a message of {message.Length} characters"
                : message.Contains("System.", StringComparison.Ordinal) ? $"a .NET type name: {Cut(message)}"
                : null;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return $"not an ECS error: {Cut(text)}";
        }
    }

    /// <summary>A JSON value of the type, member by member, with a hostile value instead about once in <paramref name="hostileOdds"/>.</summary>
    private static string Value(Type type, Random random, int depth, int hostileOdds)
    {
        if (depth > 0 && random.Next(hostileOdds) == 0)
        {
            return Pick(random, Hostile);
        }

        type = Nullable.GetUnderlyingType(type) ?? type;
        var info = EcsJson.Options.GetTypeInfo(type);
        switch (info.Kind)
        {
            case JsonTypeInfoKind.Object when depth < 5:
                var members = info.Properties.Where(_ => random.Next(3) != 0)
                    .Select(p => $"\"{p.Name}\": {Value(p.PropertyType, random, depth + 1, hostileOdds)}");
                return "{" + string.Join(", ", members) + "}";
            case JsonTypeInfoKind.Object:
                return "{}";
            case JsonTypeInfoKind.Enumerable when info.ElementType is { } element:
                return "[" + string.Join(", ", Enumerable.Range(0, random.Next(4)).Select(_ => Value(element, random, depth + 1, hostileOdds))) + "]";
            case JsonTypeInfoKind.Dictionary when info.ElementType is { } element:
                return $"{{\"{Pick(random, Strings)}\": {Value(element, random, depth + 1, hostileOdds)}}}";
        }

        return type switch
        {
            _ when type == typeof(string) => JsonSerializer.Serialize(Pick(random, Strings)),
            _ when type == typeof(int) || type == typeof(long) => Pick(random, ["0", "1", "2", "10", "100", "5000", "5001", "-1", "2147483647"]),
            _ when type == typeof(bool) => random.Next(2) == 0 ? "true" : "false",
            _ when type == typeof(double) || type == typeof(decimal) => (random.NextDouble() * 1000).ToString(CultureInfo.InvariantCulture),
            _ when type == typeof(DateTimeOffset) => "1480729663.517",
            _ => Pick(random, Hostile),
        };
    }

    private static string Pick(Random random, string[] values) => values[random.Next(values.Length)];

    private static string Cut(string text) => text.Length <= 200 ? text : text[..200] + "…";
}
