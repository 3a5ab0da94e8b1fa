using CsCheck;
using Orchestrator.ControlPlane.Scheduling;
using static Orchestrator.ControlPlane.Tests.Scheduling.Hosts;

namespace Orchestrator.ControlPlane.Tests.Scheduling;

/// <summary>Evaluating over a whole snapshot (once per distinct attribute value) agrees with evaluating per instance.</summary>
public sealed class QueryEvaluateAllTests
{
    private static readonly string?[] Values = ["x", "y", "10", "9", null];

    private static readonly string[] Leaves =
    [
        "attribute:a == x", "attribute:a != y", "attribute:a exists", "attribute:a !exists", "attribute:b in [x, 1*]",
        "attribute:b not_in (y)", "attribute:a =~ '[xy]'", "attribute:b !~ x", "attribute:a > 9", "attribute:b <= 10",
        "runningTasksCount > 1", "task:group == g", "ec2InstanceId =~ .*1",
    ];

    private static readonly Gen<string> GenExpression =
        Gen.Select(Gen.Int[0, Leaves.Length - 1], Gen.Int[0, Leaves.Length - 1], Gen.Int[0, 3], (l, r, op) => op switch
        {
            0 => $"{Leaves[l]} and {Leaves[r]}",
            1 => $"{Leaves[l]} or not {Leaves[r]}",
            2 => $"not ({Leaves[l]} || {Leaves[r]})",
            _ => Leaves[l],
        });

    private static readonly Gen<InstanceSnapshot[]> GenInstances =
        Gen.Select(Gen.Int[0, Values.Length], Gen.Int[0, Values.Length], Gen.Int[0, 2])
            .Array[1, 20]
            .Select(specs => specs.Select((s, i) =>
            {
                var attributes = new Dictionary<string, string?>();
                if (s.Item1 < Values.Length)
                {
                    attributes["a"] = Values[s.Item1];
                }

                if (s.Item2 < Values.Length)
                {
                    attributes["b"] = Values[s.Item2];
                }

                return Host($"h{i}", attributes: attributes, groups: Groups(("g", s.Item3)));
            }).ToArray());

    [Fact]
    public void EvaluateAll_AnyExpression_AgreesWithEvaluate() =>
        Gen.Select(GenExpression, GenInstances).Sample((expression, instances) =>
        {
            var constraint = MemberOfConstraint.Parse(expression);
            var snapshot = Snapshot(instances);
            var all = new bool[instances.Length];

            constraint.Query.EvaluateAll(snapshot, all);

            Assert.Equal(snapshot.Instances.Select(constraint.Matches), all);
        }, iter: 500);
}
