using Orchestrator.ControlPlane.Scheduling;
using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Tasks;

/// <summary>
/// A launch through a capacity provider strategy: one launch request per provider that gets tasks, each placed by the
/// same rules plus a memberOf constraint on the provider's expression (so the placement engine is unchanged and only
/// sees the provider's instances), its tasks marked with the provider's name.
/// </summary>
public static class CapacityLaunches
{
    public static IReadOnlyList<LaunchRequest> Split(
        StateSnapshot state, LaunchRequest request, IReadOnlyList<CapacityProviderStrategyItem> strategy, IReadOnlyList<int> counts)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(strategy);
        ArgumentNullException.ThrowIfNull(counts);
        var requests = new List<LaunchRequest>();
        for (var i = 0; i < strategy.Count; i++)
        {
            if (counts[i] == 0 || state.CapacityProvider(strategy[i].CapacityProvider ?? "") is not { } provider)
            {
                continue;
            }

            var rules = request.Placement.Rules with { Constraints = [.. request.Placement.Rules.Constraints, CapacityGroups.Constraint(provider)] };
            requests.Add(request with
            {
                Placement = request.Placement with { Count = counts[i], Rules = rules },
                Settings = request.Settings with { CapacityProviderName = provider.Name },
            });
        }

        return requests;
    }
}
