using Orchestrator.Ecs;

namespace Orchestrator.ControlPlane.Application;

/// <summary>ECS's checks of the parameters many actions share: <c>maxResults</c> and enumerated values.</summary>
public static class RequestChecks
{
    public static void CheckMaxResults(int? maxResults)
    {
        if (maxResults is < 1 or > 100)
        {
            throw EcsException.InvalidParameter("maxResults must be between 1 and 100.");
        }
    }

    public static void CheckEnum(string? value, string parameter, params string[] allowed)
    {
        if (value is not null && !allowed.Contains(value, StringComparer.Ordinal))
        {
            throw EcsException.InvalidParameter($"{parameter} must be one of: {string.Join(", ", allowed)}.");
        }
    }
}
