using System.Text.RegularExpressions;

namespace Orchestrator.Ecs.Validation;

/// <summary>
/// A task role reference as ECS takes it in <c>taskRoleArn</c>: the role's full ARN
/// (<c>arn:aws:iam::ACCOUNT:role/[PATH/]NAME</c>) or its short name. A role is named by its last segment; the path is
/// kept in the ARN only.
/// </summary>
public static partial class RoleArn
{
    public const int MaxNameLength = 64;

    /// <summary>IAM's role name characters: letters, digits and <c>+=,.@_-</c>, 1 to 64 of them.</summary>
    public static bool IsValidName(string? name) => name is not null && NamePattern().IsMatch(name);

    /// <summary>The role's name, or null when the reference is neither a role ARN nor a role name.</summary>
    public static string? NameOf(string? reference)
    {
        if (string.IsNullOrEmpty(reference))
        {
            return null;
        }

        if (!reference.StartsWith("arn:", StringComparison.Ordinal))
        {
            return IsValidName(reference) ? reference : null;
        }

        var match = ArnPattern().Match(reference);
        return match.Success ? match.Groups["name"].Value : null;
    }

    /// <summary>The account a role ARN names; null for a short name.</summary>
    public static string? AccountOf(string reference)
    {
        var match = ArnPattern().Match(reference ?? "");
        return match.Success ? match.Groups["account"].Value : null;
    }

    /// <summary>The ARN of a role of this name in the account.</summary>
    public static string For(string account, string name) => $"arn:aws:iam::{account}:role/{name}";

    [GeneratedRegex(@"^[A-Za-z0-9+=,.@_-]{1,64}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^arn:aws:iam::(?<account>[0-9]{12}):role/(?:[\x21-\x7E]{0,500}/)?(?<name>[A-Za-z0-9+=,.@_-]{1,64})$")]
    private static partial Regex ArnPattern();
}
