using Orchestrator.Ecs;

namespace Orchestrator.ControlPlane.Application;

/// <summary>The optional parts of a Describe* response that a request asked for with <c>include</c>.</summary>
public sealed class Include
{
    private readonly HashSet<string>? fields;

    private Include(HashSet<string>? fields) => this.fields = fields;

    public static Include All { get; } = new(null);

    public static Include None { get; } = new([]);

    public static Include Parse(IReadOnlyList<string>? requested, params string[] allowed)
    {
        foreach (var field in requested ?? [])
        {
            if (!allowed.Contains(field, StringComparer.Ordinal))
            {
                throw EcsException.InvalidParameter($"include must contain only: {string.Join(", ", allowed)}.");
            }
        }

        return new Include(new HashSet<string>(requested ?? [], StringComparer.Ordinal));
    }

    public bool Has(string field) => fields is null || fields.Contains(field);
}
