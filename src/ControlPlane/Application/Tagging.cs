using System.Text.RegularExpressions;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Application;

/// <summary>ECS's tag rules: at most 50 per resource, keys 1–128 and values 0–256 characters, <c>aws:</c> reserved.</summary>
public static partial class Tagging
{
    public const int MaxTags = 50;

    public static IReadOnlyList<Tag> Validate(IReadOnlyList<Tag>? tags)
    {
        if (tags is null)
        {
            return [];
        }

        if (tags.Count > MaxTags)
        {
            throw EcsException.InvalidParameter($"A resource can have at most {MaxTags} tags.");
        }

        foreach (var tag in tags)
        {
            if (string.IsNullOrEmpty(tag.Key) || tag.Key.Length > 128 || !Pattern().IsMatch(tag.Key))
            {
                throw EcsException.InvalidParameter($"Invalid tag key '{tag.Key}': 1 to 128 letters, numbers, spaces and _ . : / = + - @.");
            }

            if (tag.Value is { Length: > 256 } || (tag.Value is not null && !Pattern().IsMatch(tag.Value)))
            {
                throw EcsException.InvalidParameter($"Invalid value for tag '{tag.Key}': up to 256 letters, numbers, spaces and _ . : / = + - @.");
            }

            if (tag.Key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
            {
                throw EcsException.InvalidParameter("Tag keys beginning with 'aws:' are reserved.");
            }
        }

        return tags.GroupBy(t => t.Key).Select(g => g.Last()).ToList();
    }

    /// <summary>The tags after adding <paramref name="added"/> (same key: replaced).</summary>
    public static IReadOnlyList<Tag> Merge(IReadOnlyList<Tag> existing, IReadOnlyList<Tag> added)
    {
        var merged = existing.Where(t => added.All(a => a.Key != t.Key)).Concat(added).ToList();
        return merged.Count <= MaxTags ? merged : throw EcsException.InvalidParameter($"A resource can have at most {MaxTags} tags.");
    }

    [GeneratedRegex(@"^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$")]
    private static partial Regex Pattern();
}
