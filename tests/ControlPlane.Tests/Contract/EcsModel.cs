using System.Text.Json;

namespace Orchestrator.ControlPlane.Tests.Contract;

/// <summary>
/// ECS's API model (botocore's service-2.json): checks that a JSON document has the shape the model gives an
/// operation's input or output — every member known, of the right type, enums valid, required members present.
/// </summary>
public sealed class EcsModel
{
    private static readonly Lazy<EcsModel> Loaded = new(() =>
        new EcsModel(JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Contract", "ecs-2014-11-13.model.json"))).RootElement));

    private readonly JsonElement _model;

    private EcsModel(JsonElement model) => _model = model;

    public static EcsModel Instance => Loaded.Value;

    public string? OutputShape(string operation) =>
        _model.GetProperty("operations").GetProperty(operation).TryGetProperty("output", out var output) ? output.GetProperty("shape").GetString() : null;

    public string InputShape(string operation) =>
        _model.GetProperty("operations").GetProperty(operation).GetProperty("input").GetProperty("shape").GetString()!;

    public IReadOnlySet<string> Members(string shape) =>
        Shape(shape).TryGetProperty("members", out var members) ? members.EnumerateObject().Select(m => m.Name).ToHashSet() : [];

    /// <summary>Every way <paramref name="document"/> departs from <paramref name="shape"/>; empty when it conforms.</summary>
    public IReadOnlyList<string> Check(string shape, JsonElement document)
    {
        var problems = new List<string>();
        Check(shape, document, "$", problems);
        return problems;
    }

    public IEnumerable<string> Operations => _model.GetProperty("operations").EnumerateObject().Select(o => o.Name);

    /// <summary>The shape of member <paramref name="member"/> of structure <paramref name="shape"/>.</summary>
    public string MemberShape(string shape, string member) =>
        Shape(shape).GetProperty("members").GetProperty(member).GetProperty("shape").GetString()!;

    /// <summary>
    /// A value of <paramref name="shape"/> that asks for something: a non-empty string (the first enum value other
    /// than <paramref name="avoid"/>), true, 1, a list of one, a structure with its first member set.
    /// </summary>
    public string SampleThatAsksForSomething(string shape, string? avoid = null, int depth = 0)
    {
        var definition = Shape(shape);
        switch (definition.GetProperty("type").GetString())
        {
            case "structure":
                var first = definition.GetProperty("members").EnumerateObject().First();
                var avoidInside = avoid is not null && avoid.StartsWith('{') && JsonDocument.Parse(avoid).RootElement.TryGetProperty(first.Name, out var inner)
                    ? inner.GetRawText()
                    : null;
                return $"{{\"{first.Name}\":{SampleThatAsksForSomething(first.Value.GetProperty("shape").GetString()!, avoidInside, depth + 1)}}}";
            case "list":
                return $"[{SampleThatAsksForSomething(definition.GetProperty("member").GetProperty("shape").GetString()!, null, depth + 1)}]";
            case "map":
                return "{\"k\":\"v\"}";
            case "boolean":
                return "true";
            case "integer" or "long" or "double" or "float":
                return "1";
            case "timestamp":
                return "1700000000";
            default:
                var value = definition.TryGetProperty("enum", out var values)
                    ? values.EnumerateArray().Select(v => v.GetString()!).First(v => $"\"{v}\"" != avoid)
                    : "something";
                return JsonSerializer.Serialize(value);
        }
    }

    private JsonElement Shape(string name) => _model.GetProperty("shapes").GetProperty(name);

    private void Check(string shapeName, JsonElement value, string path, List<string> problems)
    {
        var shape = Shape(shapeName);
        var type = shape.GetProperty("type").GetString();
        switch (type)
        {
            case "structure":
                if (value.ValueKind != JsonValueKind.Object)
                {
                    problems.Add($"{path}: expected an object ({shapeName}), got {value.ValueKind}");
                    return;
                }

                var members = shape.GetProperty("members");
                foreach (var property in value.EnumerateObject())
                {
                    if (!members.TryGetProperty(property.Name, out var member))
                    {
                        problems.Add($"{path}.{property.Name}: not a member of {shapeName}");
                        continue;
                    }

                    Check(member.GetProperty("shape").GetString()!, property.Value, $"{path}.{property.Name}", problems);
                }

                if (shape.TryGetProperty("required", out var required))
                {
                    foreach (var name in required.EnumerateArray().Select(r => r.GetString()!))
                    {
                        if (!value.TryGetProperty(name, out _))
                        {
                            problems.Add($"{path}: required member {name} of {shapeName} is missing");
                        }
                    }
                }

                break;
            case "list":
                if (value.ValueKind != JsonValueKind.Array)
                {
                    problems.Add($"{path}: expected a list ({shapeName}), got {value.ValueKind}");
                    return;
                }

                var element = shape.GetProperty("member").GetProperty("shape").GetString()!;
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    Check(element, item, $"{path}[{index++}]", problems);
                }

                break;
            case "map":
                if (value.ValueKind != JsonValueKind.Object)
                {
                    problems.Add($"{path}: expected a map ({shapeName}), got {value.ValueKind}");
                }

                break;
            case "string":
                if (value.ValueKind != JsonValueKind.String)
                {
                    problems.Add($"{path}: expected a string ({shapeName}), got {value.ValueKind}");
                }
                else if (shape.TryGetProperty("enum", out var values) && values.EnumerateArray().All(v => v.GetString() != value.GetString()))
                {
                    problems.Add($"{path}: '{value.GetString()}' is not a value of {shapeName}");
                }

                break;
            case "integer" or "long":
                if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out _))
                {
                    problems.Add($"{path}: expected an integer ({shapeName}), got {value}");
                }

                break;
            case "double" or "float" or "timestamp":
                if (value.ValueKind != JsonValueKind.Number)
                {
                    problems.Add($"{path}: expected a number ({shapeName}), got {value.ValueKind}");
                }

                break;
            case "boolean":
                if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    problems.Add($"{path}: expected true or false ({shapeName}), got {value.ValueKind}");
                }

                break;
            default:
                problems.Add($"{path}: the model's type {type} is not checked");
                break;
        }
    }
}
