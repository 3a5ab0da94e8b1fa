using System.Globalization;
using System.Text.Json.Nodes;

namespace Orchestrator.Cli.Output;

/// <summary>
/// The non-ECS APIs orch prints as JSON (Scheduler, Application Auto Scaling) answer timestamps as epoch seconds;
/// the AWS CLI and orch's other commands print ISO 8601. This rewrites the named members, at any depth, in place.
/// </summary>
internal static class EpochTimes
{
    public static void ToIso(JsonNode? node, IReadOnlySet<string> members)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (name, value) in o.ToList())
                {
                    if (members.Contains(name) && value is JsonValue v && v.TryGetValue<decimal>(out var seconds))
                    {
                        o[name] = DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000m)).ToString("yyyy-MM-ddTHH:mm:ss.ffffffzzz", CultureInfo.InvariantCulture);
                    }
                    else
                    {
                        ToIso(value, members);
                    }
                }

                break;
            case JsonArray a:
                foreach (var item in a)
                {
                    ToIso(item, members);
                }

                break;
        }
    }
}
