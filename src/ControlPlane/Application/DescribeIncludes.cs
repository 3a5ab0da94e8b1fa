using Orchestrator.Ecs;

namespace Orchestrator.ControlPlane.Application;

/// <summary>The optional parts of a Describe* response that a request asked for with <c>include</c>.</summary>
public sealed class DescribeIncludes
{
    private readonly HashSet<string>? _fields;

    private DescribeIncludes(HashSet<string>? fields) => _fields = fields;

    public static DescribeIncludes All { get; } = new(null);

    public static DescribeIncludes None { get; } = new([]);

    public static DescribeIncludes Parse(IReadOnlyList<string>? requested, params string[] allowed)
    {
        foreach (var field in requested ?? [])
        {
            if (!allowed.Contains(field, StringComparer.Ordinal))
            {
                throw EcsException.InvalidParameter($"include must contain only: {string.Join(", ", allowed)}.");
            }
        }

        return new DescribeIncludes(new HashSet<string>(requested ?? [], StringComparer.Ordinal));
    }

    public bool Has(string field) => _fields is null || _fields.Contains(field);
}
