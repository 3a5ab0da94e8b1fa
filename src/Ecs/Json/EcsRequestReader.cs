using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;

namespace Orchestrator.Ecs.Json;

/// <summary>
/// Reads an ECS request document. Malformed JSON is refused with its line and column; a member this project does
/// not implement is refused by its path (e.g. <c>containerDefinitions[0].secrets</c>) rather than ignored; a value of
/// the wrong type is refused by its path and the type it should have.
/// </summary>
public static partial class EcsRequestReader
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
                $"Malformed JSON at line {(e.LineNumber ?? 0) + 1}, column {(e.BytePositionInLine ?? 0) + 1}: {EcsText.Cut(Reason(e), 200)}");
        }

        using (document)
        {
            try
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    throw EcsException.Client($"Invalid type for parameter (request): expected an object, got {Kind(document.RootElement)}.");
                }

                Check(document.RootElement, typeof(T), "");
                return document.RootElement.Deserialize<T>(EcsJson.Options)!;
            }
            catch (JsonException e)
            {
                throw EcsException.Client($"Invalid value for parameter {Display(e.Path?.TrimStart('$', '.') ?? "")}: {PlainReason(e)}");
            }
            catch (InvalidOperationException)
            {
                // What System.Text.Json says of "\ud800": a string that is not text, which no reply could carry back.
                throw EcsException.Client("The request contains a string that is not valid Unicode (a lone surrogate).");
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
        var actual = Kind(element);
        if (expected is not null && expected != actual && !(expected == "a number" && actual == "an integer"))
        {
            throw EcsException.Client($"Invalid type for parameter {Display(path)}: expected {expected}, got {actual}.");
        }

        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                _ = element.GetString(); // throws on a lone surrogate
                break;
            case JsonValueKind.Number when (type == typeof(int) && !element.TryGetInt32(out _)) || (type == typeof(long) && !element.TryGetInt64(out _)):
                throw EcsException.Client($"Invalid value for parameter {Display(path)}: the number is too large.");
        }

        if (info.Kind == JsonTypeInfoKind.Object)
        {
            // An ECS member this project does not implement is still fine when it asks for nothing: null, an empty string,
            // list or object (as `aws ecs … --generate-cli-skeleton` and ECS's own examples write them), or the value that
            // means "off" for an AWS feature a cluster without AWS lacks ("DISABLED", false), which Terraform and current
            // SDKs send on every call. Any other value of it is refused by name and value, never ignored.
            foreach (var member in element.EnumerateObject())
            {
                var memberPath = path.Length == 0 ? member.Name : $"{path}.{member.Name}";
                var property = info.Properties.FirstOrDefault(p => p.Name == member.Name);
                if (property is not null)
                {
                    if (member.Value.ValueKind != JsonValueKind.Null)
                    {
                        Check(member.Value, property.PropertyType, memberPath);
                    }

                    continue;
                }

                if (!EcsMembers.IsKnown(type, member.Name))
                {
                    if (member.Value.ValueKind == JsonValueKind.Null)
                    {
                        continue;
                    }

                    throw EcsException.Client($"Unknown parameter {Display(memberPath)}.");
                }

                if (!EcsMembers.AsksForNothing(type, member.Name, member.Value))
                {
                    var accepted = EcsMembers.AcceptedValue(type, member.Name);
                    throw EcsException.Client(
                        $"Parameter {Display(memberPath)} is not supported by this control plane yet: the value {Shown(member.Value)} is refused; " +
                        (accepted is null ? "leave it out." : $"it takes only {accepted}."));
                }
            }
        }
        else if (info.Kind == JsonTypeInfoKind.Enumerable && info.ElementType is { } elementType)
        {
            var index = 0;
            foreach (var item in element.EnumerateArray())
            {
                CheckItem(item, elementType, $"{path}[{index.ToString(CultureInfo.InvariantCulture)}]");
                index++;
            }
        }
        else if (info.Kind == JsonTypeInfoKind.Dictionary && info.ElementType is { } valueType)
        {
            foreach (var entry in element.EnumerateObject())
            {
                CheckItem(entry.Value, valueType, $"{path}.{entry.Name}");
            }
        }
    }

    /// <summary>An item of a list or a value of a map: unlike a member, null is not "absent" there but a hole.</summary>
    private static void CheckItem(JsonElement item, Type type, string path)
    {
        if (item.ValueKind == JsonValueKind.Null)
        {
            throw EcsException.InvalidParameter($"Invalid value for parameter {Display(path)}: null is not allowed in a list or map.");
        }

        Check(item, type, path);
    }

    private static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => element.TryGetInt64(out _) ? "an integer" : "a number",
        JsonValueKind.Null => "null",
        _ => "true or false",
    };

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

    /// <summary>A refused value as the refusal shows it: a scalar cut short, a list or object by its kind only.</summary>
    private static string Shown(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"\"{EcsText.Cut(value.GetString(), 40)}\"",
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => EcsText.Cut(value.GetRawText(), 40),
        JsonValueKind.Array => $"a list of {value.GetArrayLength().ToString(CultureInfo.InvariantCulture)}",
        _ => "an object",
    };

    private static string Display(string path) => path.Length == 0 ? "(request)" : EcsText.Cut(path, 100);

    /// <summary>System.Text.Json's complaint in plain words: no .NET type names, no echoed input.</summary>
    private static string PlainReason(JsonException e)
    {
        var reason = Reason(e);
        var converted = ConvertedTo().Match(reason);
        if (converted.Success)
        {
            return converted.Groups["type"].Value switch
            {
                var t when t.Contains("Int32", StringComparison.Ordinal) || t.Contains("Int64", StringComparison.Ordinal) => "must be an integer.",
                var t when t.Contains("Double", StringComparison.Ordinal) || t.Contains("Decimal", StringComparison.Ordinal) => "must be a number.",
                var t when t.Contains("Boolean", StringComparison.Ordinal) => "must be true or false.",
                var t when t.Contains("DateTimeOffset", StringComparison.Ordinal) => "must be a timestamp (epoch seconds or ISO-8601).",
                var t when t.Contains("String", StringComparison.Ordinal) => "must be a string.",
                _ => "has the wrong type.",
            };
        }

        return EcsText.Cut(DotNetTypeName().Replace(reason, "a value"), 200);
    }

    [GeneratedRegex(@"could not be converted to (?<type>\S+)")]
    private static partial Regex ConvertedTo();

    [GeneratedRegex(@"System\.[\w.`\[\],]+")]
    private static partial Regex DotNetTypeName();

    private static string Reason(JsonException e)
    {
        var message = e.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        cut = cut < 0 ? message.IndexOf(" LineNumber:", StringComparison.Ordinal) : cut;
        return (cut < 0 ? message : message[..cut]).Trim();
    }
}
