using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Orchestrator.Ecs.Json;

/// <summary>
/// Reads an ECS request document. Malformed JSON is refused with its line and column; a member this project does
/// not implement is refused by its path (e.g. <c>containerDefinitions[0].secrets</c>) rather than ignored; a value of
/// the wrong type is refused by its path and the type it should have.
/// </summary>
public static class EcsRequestReader
{
    public static T Read<T>(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(string.IsNullOrWhiteSpace(json) ? "{}" : json);
        }
        catch (JsonException e)
        {
            throw EcsException.Client(
                $"Malformed JSON at line {(e.LineNumber ?? 0) + 1}, column {(e.BytePositionInLine ?? 0) + 1}: {Reason(e)}");
        }

        using (document)
        {
            Check(document.RootElement, typeof(T), "");
            try
            {
                return document.RootElement.Deserialize<T>(EcsJson.Options)!;
            }
            catch (JsonException e)
            {
                throw EcsException.Client($"Invalid value for parameter {e.Path?.TrimStart('$', '.')}: {Reason(e)}");
            }
        }
    }

    private static void Check(JsonElement element, Type type, string path)
    {
        if (element.ValueKind == JsonValueKind.Null)
        {
            return; // ECS treats null as absent.
        }

        type = Nullable.GetUnderlyingType(type) ?? type;
        var info = EcsJson.Options.GetTypeInfo(type);
        var expected = Expected(info);
        var actual = element.ValueKind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "a list",
            JsonValueKind.String => "a string",
            JsonValueKind.Number => element.TryGetInt64(out _) ? "an integer" : "a number",
            _ => "true or false",
        };
        if (expected is not null && expected != actual && !(expected == "a number" && actual == "an integer"))
        {
            throw EcsException.Client($"Invalid type for parameter {Display(path)}: expected {expected}, got {actual}.");
        }

        if (info.Kind == JsonTypeInfoKind.Object)
        {
            // An ECS member this project does not implement is still fine when it asks for nothing: an empty string,
            // list or object, as `aws ecs … --generate-cli-skeleton` and ECS's own examples write them ("taskRoleArn": "").
            foreach (var member in element.EnumerateObject().Where(m => m.Value.ValueKind != JsonValueKind.Null
                && !(IsEmpty(m.Value) && EcsMembers.IsKnown(type, m.Name) && info.Properties.All(p => p.Name != m.Name))))
            {
                var memberPath = path.Length == 0 ? member.Name : $"{path}.{member.Name}";
                var property = info.Properties.FirstOrDefault(p => p.Name == member.Name)
                    ?? throw EcsException.Client(EcsMembers.IsKnown(type, member.Name)
                        ? $"Parameter {memberPath} is not supported by this control plane yet."
                        : $"Unknown parameter {memberPath}.");
                Check(member.Value, property.PropertyType, memberPath);
            }
        }
        else if (info.Kind == JsonTypeInfoKind.Enumerable && info.ElementType is { } elementType)
        {
            var index = 0;
            foreach (var item in element.EnumerateArray())
            {
                Check(item, elementType, $"{path}[{index.ToString(CultureInfo.InvariantCulture)}]");
                index++;
            }
        }
    }

    private static string? Expected(JsonTypeInfo info) => info.Kind switch
    {
        JsonTypeInfoKind.Object => "an object",
        JsonTypeInfoKind.Enumerable => "a list",
        JsonTypeInfoKind.Dictionary => "an object",
        _ when info.Type == typeof(string) => "a string",
        _ when info.Type == typeof(int) || info.Type == typeof(long) => "an integer",
        _ when info.Type == typeof(double) || info.Type == typeof(decimal) => "a number",
        _ when info.Type == typeof(bool) => "true or false",
        _ => null, // timestamps and other converted values are checked when deserialized
    };

    private static string Display(string path) => path.Length == 0 ? "(request)" : path;

    private static string Reason(JsonException e)
    {
        var message = e.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        cut = cut < 0 ? message.IndexOf(" LineNumber:", StringComparison.Ordinal) : cut;
        return (cut < 0 ? message : message[..cut]).Trim();
    }

    private static bool IsEmpty(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!.Length == 0,
        JsonValueKind.Array => value.GetArrayLength() == 0,
        JsonValueKind.Object => !value.EnumerateObject().Any(),
        _ => false,
    };
}
