using Xunit.Sdk;
using Xunit.v3;

[assembly: TestCollectionOrderer(typeof(Orchestrator.EndToEnd.Tests.LongestFirst))]

namespace Orchestrator.EndToEnd.Tests;

/// <summary>
/// Starts the longest test collections first, so that the two threads this program runs on (xunit.runner.json) finish
/// together instead of one long collection running alone at the end. The lab's classes share one collection that runs
/// one class at a time (about 13 minutes of the program's 28 on the 2-core CI machine); started last, as the default
/// order happened to do, it alone decided when the program ended. The figures are seconds measured in a CI run; a class
/// not listed counts as a short one.
/// </summary>
public sealed class LongestFirst : ITestCollectionOrderer
{
    private static readonly Dictionary<string, int> Seconds = new(StringComparer.Ordinal)
    {
        [LabCollection.Name] = 950,
        ["TerraformTests"] = 200,
        ["AwsCliTests"] = 150,
        ["SecretTaskTests"] = 135,
        ["ServiceTests"] = 120,
        ["TerraformAutoScalingTests"] = 115,
        ["RegistryPullTests"] = 100,
        ["RestartTests"] = 100,
        ["ReplacementTests"] = 100,
        ["CertificateLifecycleTests"] = 95,
        ["PullBehaviorTests"] = 85,
        ["SecretsInLogsTests"] = 85,
        ["ScheduledTaskTests"] = 80,
        ["TaskStreamTests"] = 80,
        ["AutoScalingTests"] = 75,
    };

    private const int Unlisted = 30;

    /// <summary>
    /// Classes started after all others, whatever their length: the failover test starts 204 containers, and beside the
    /// lab's start and the other test programs (the first minutes of a CI run) it slowed the lab's tasks past their
    /// limits.
    /// </summary>
    private static readonly HashSet<string> Last = new(StringComparer.Ordinal) { "HighAvailabilityTests" };

    public IReadOnlyCollection<TTestCollection> OrderTestCollections<TTestCollection>(IReadOnlyCollection<TTestCollection> testCollections)
        where TTestCollection : ITestCollection =>
        [.. testCollections.OrderByDescending(c => EstimatedSeconds(c)).ThenBy(c => c.TestCollectionDisplayName, StringComparer.Ordinal)];

    /// <summary>A named collection by its name; a class's own collection ("Test collection for NS.Class…") by its class's name.</summary>
    internal static int EstimatedSeconds(ITestCollection collection)
    {
        var name = collection.TestCollectionDisplayName;
        if (name.Split(' ', '.').Any(Last.Contains))
        {
            return 0;
        }

        if (Seconds.TryGetValue(name, out var named))
        {
            return named;
        }

        foreach (var word in name.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (Seconds.TryGetValue(word[(word.LastIndexOf('.') + 1)..], out var seconds))
            {
                return seconds;
            }
        }

        return Unlisted;
    }
}
