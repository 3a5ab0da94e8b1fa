using Orchestrator.Ecs;

namespace Orchestrator.ControlPlane.Scheduling.Query;

/// <summary>The InvalidParameterException a malformed expression gets. Positions are 1-based characters.</summary>
internal static class QueryError
{
    public static EcsException At(int position, string problem) =>
        EcsException.InvalidParameter($"Invalid placement constraint expression at character {position + 1}: {problem}.");

    public static EcsException At(QueryToken token, string problem) => At(token.Position, problem);
}
