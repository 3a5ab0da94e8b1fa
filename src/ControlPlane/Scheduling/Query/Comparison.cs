using System.Globalization;
using System.Text.RegularExpressions;

namespace Orchestrator.ControlPlane.Scheduling.Query;

/// <summary>
/// <c>subject operator [value | list]</c>. Negated operators (<c>!=</c>, <c>!exists</c>, <c>!in</c>, <c>!~</c>) hold
/// exactly when their positive form does not, so an instance without the attribute satisfies <c>!=</c>.
/// Ordering on an attribute is numeric when both sides are numbers, else ordinal. <c>ec2InstanceId</c> also matches
/// the container instance ID, so hosts registered without an EC2 instance ID can be named.
/// </summary>
internal sealed class Comparison : QueryNode
{
    private readonly string[] _values;
    private readonly Regex? _regex;
    private readonly long _number;
    private readonly AgentVersion _version;
    private readonly DateTimeOffset _date;

    public Comparison(QuerySubject subject, QueryOperator op, IReadOnlyList<QueryToken> literals)
    {
        Subject = subject;
        Operator = op;
        _values = literals.Select(l => l.Text).ToArray();
        if (literals.Count == 0)
        {
            return;
        }

        var first = literals[0];
        switch (subject.Kind)
        {
            case SubjectKind.RunningTasksCount when !long.TryParse(first.Text, NumberStyles.None, CultureInfo.InvariantCulture, out _number):
                throw QueryError.At(first, $"runningTasksCount compares with a whole number, not {first.Display}");
            case SubjectKind.AgentVersion when !AgentVersion.TryParse(first.Text, out _version):
                throw QueryError.At(first, $"agentVersion compares with a version such as 1.14.5, not {first.Display}");
            case SubjectKind.RegisteredAt when !QueryDates.TryParse(first.Text, out _date):
                throw QueryError.At(first, $"registeredAt compares with a date such as {QueryDates.Examples}, not {first.Display}");
            case SubjectKind.AgentConnected when op.Positive() is QueryOperator.Equal or QueryOperator.In:
                foreach (var literal in literals)
                {
                    if (!bool.TryParse(literal.Text, out _))
                    {
                        throw QueryError.At(literal, $"agentConnected is true or false, not {literal.Display}");
                    }
                }

                _values = _values.Select(v => v.ToLowerInvariant()).ToArray();
                break;
        }

        if (op.Positive() == QueryOperator.Matches)
        {
            _regex = FullMatchRegex.Compile(first);
        }
    }

    public QuerySubject Subject { get; }

    public QueryOperator Operator { get; }

    public override bool IsDynamic => Subject.IsDynamic;

    public override bool Evaluate(in QueryContext context)
    {
        var instance = context.Instance;
        switch (Subject.Kind)
        {
            case SubjectKind.RunningTasksCount:
                return Operator.Accepts(((long)context.RunningTasksCount).CompareTo(_number));
            case SubjectKind.AgentVersion:
                return AgentVersion.TryParse(instance.AgentVersion, out var v)
                    ? Operator.Accepts(v.CompareTo(_version))
                    : Operator == QueryOperator.NotEqual;
            case SubjectKind.RegisteredAt:
                return Operator.Accepts(instance.RegisteredAt.CompareTo(_date));
            case SubjectKind.TaskGroup:
                return Operator.IsNegated() != RunsMatchingGroup(context);
            case SubjectKind.AgentConnected:
                return Operator.IsNegated() != Matches(instance.AgentConnected ? "true" : "false");
            case SubjectKind.Ec2InstanceId:
                return Operator.IsNegated() != ((instance.Ec2InstanceId is { } ec2 && Matches(ec2)) || Matches(instance.Id));
            default:
                var found = instance.Attributes.TryGetValue(Subject.AttributeName!, out var value);
                return EvaluateAttribute(found, value);
        }
    }

    /// <summary>On an attribute, evaluates once per distinct value of the snapshot's column, not once per instance.</summary>
    public override void EvaluateAll(ClusterSnapshot snapshot, bool[] result)
    {
        if (Subject.Kind != SubjectKind.Attribute)
        {
            base.EvaluateAll(snapshot, result);
            return;
        }

        var column = snapshot.Column(Subject.AttributeName!);
        var byId = new bool[column.Values.Length];
        byId[AttributeColumn.Absent] = EvaluateAttribute(found: false, null);
        byId[AttributeColumn.NoValue] = EvaluateAttribute(found: true, null);
        for (var id = AttributeColumn.NoValue + 1; id < byId.Length; id++)
        {
            byId[id] = EvaluateAttribute(found: true, column.Values[id]);
        }

        var ids = column.Ids;
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = byId[ids[i]];
        }
    }

    public override string ToString() => _values.Length switch
    {
        0 => $"{Subject.Text} {Operator.Symbol()}",
        _ when Operator.TakesList() => $"{Subject.Text} {Operator.Symbol()} [{string.Join(", ", _values)}]",
        _ => $"{Subject.Text} {Operator.Symbol()} {_values[0]}",
    };

    private bool EvaluateAttribute(bool found, string? value)
    {
        if (Operator.IsOrdering())
        {
            return value is not null && Operator.Accepts(CompareAttribute(value, _values[0]));
        }

        var positive = Operator.Positive() == QueryOperator.Exists ? found : value is not null && Matches(value);
        return Operator.IsNegated() != positive;
    }

    /// <summary>The positive form (==, in, =~) against one value.</summary>
    private bool Matches(string value)
    {
        if (_regex is not null)
        {
            return _regex.IsMatch(value);
        }

        foreach (var pattern in _values)
        {
            if (Wildcard.IsMatch(pattern, value))
            {
                return true;
            }
        }

        return false;
    }

    private bool RunsMatchingGroup(in QueryContext context)
    {
        if (context.PlacedHere > 0 && context.Group is { } group && Matches(group))
        {
            return true;
        }

        var groups = context.Instance.TaskGroups;
        if (_regex is null && !_values.Any(v => v.Contains('*', StringComparison.Ordinal)))
        {
            foreach (var name in _values)
            {
                if (groups.TryGetValue(name, out var n) && n > 0)
                {
                    return true;
                }
            }

            return false;
        }

        foreach (var (name, n) in groups)
        {
            if (n > 0 && Matches(name))
            {
                return true;
            }
        }

        return false;
    }

    private static int CompareAttribute(string value, string literal) =>
        decimal.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var a)
        && decimal.TryParse(literal, NumberStyles.Float, CultureInfo.InvariantCulture, out var b)
            ? a.CompareTo(b)
            : string.CompareOrdinal(value, literal);
}
