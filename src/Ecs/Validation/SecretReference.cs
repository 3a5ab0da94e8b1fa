using System.Text.RegularExpressions;

namespace Orchestrator.Ecs.Validation;

/// <summary>
/// What a container's <c>secrets[].valueFrom</c> names, in ECS's forms: a Secrets Manager ARN
/// (<c>arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME</c>, with or without the 6-character suffix, or parameterised
/// <c>…:secret:NAME:JSON-KEY:VERSION-STAGE:VERSION-ID</c>), an SSM parameter ARN
/// (<c>arn:aws:ssm:REGION:ACCOUNT:parameter/NAME</c>) or the plain name. All resolve against this control plane's
/// secret store. Pure.
/// </summary>
public sealed partial record SecretReference
{
    public const int MaxNameLength = 512;

    /// <summary>The names to try in the store, in order (a Secrets Manager ARN's name with and without its suffix, …).</summary>
    public required IReadOnlyList<string> Candidates { get; init; }

    /// <summary>Parameterised Secrets Manager form: the key of the JSON object the secret holds; null for the whole value.</summary>
    public string? JsonKey { get; init; }

    public string? VersionStage { get; init; }

    public string? VersionId { get; init; }

    /// <summary>Secret names as Secrets Manager allows them: 1–512 letters, digits and <c>/_+=.@-</c>.</summary>
    public static bool IsValidName(string? name) => name is { Length: > 0 and <= MaxNameLength } && NamePattern().IsMatch(name);

    /// <summary>The reference, or null and why <paramref name="valueFrom"/> is not one.</summary>
    public static SecretReference? Parse(string? valueFrom, out string problem)
    {
        problem = "";
        if (string.IsNullOrEmpty(valueFrom))
        {
            problem = "valueFrom is required.";
            return null;
        }

        if (!valueFrom.StartsWith("arn:", StringComparison.Ordinal))
        {
            if (!IsValidName(valueFrom))
            {
                problem = "a secret name is 1 to 512 letters, digits and /_+=.@- characters.";
                return null;
            }

            // An SSM name in the task's region may be written with or without its leading slash.
            return new SecretReference { Candidates = Distinct(valueFrom, valueFrom.StartsWith('/') ? valueFrom[1..] : null) };
        }

        var parts = valueFrom.Split(':', 6);
        if (parts.Length < 6 || parts[1].Length == 0 || parts[3].Length == 0)
        {
            problem = "an invalid ARN format for the secret was specified. Specify a valid ARN and try again.";
            return null;
        }

        var resource = parts[5];
        switch (parts[2])
        {
            case "secretsmanager":
                return SecretsManager(resource, out problem);
            case "ssm" when resource.StartsWith("parameter/", StringComparison.Ordinal) && resource.Length > "parameter/".Length:
                var name = resource["parameter/".Length..];
                if (!IsValidName(name))
                {
                    problem = "an SSM parameter name is 1 to 512 letters, digits and /_+=.@- characters.";
                    return null;
                }

                // parameter/a/b is the hierarchical parameter /a/b; parameter/a is a.
                return new SecretReference { Candidates = Distinct(name, "/" + name) };
            default:
                problem = "valueFrom must name a Secrets Manager secret (arn:aws:secretsmanager:…:secret:NAME), an SSM parameter (arn:aws:ssm:…:parameter/NAME) or a secret by name.";
                return null;
        }
    }

    private static SecretReference? SecretsManager(string resource, out string problem)
    {
        problem = "";
        var slots = resource.Split(':');
        if (slots[0] != "secret" || (slots.Length != 2 && slots.Length != 5) || !IsValidName(slots[1]))
        {
            problem = "an invalid ARN format for the AWS Secrets Manager secret was specified. Specify a valid ARN and try again.";
            return null;
        }

        string? stage = slots.Length == 5 && slots[3].Length > 0 ? slots[3] : null;
        string? id = slots.Length == 5 && slots[4].Length > 0 ? slots[4] : null;
        if (stage is not null && id is not null)
        {
            problem = "a secret's version stage and version id are mutually exclusive.";
            return null;
        }

        var name = slots[1];
        var suffixed = SuffixPattern().Match(name);
        return new SecretReference
        {
            // A full ARN ends with Secrets Manager's random 6 characters, which this store's names do not have.
            Candidates = Distinct(name, suffixed.Success ? suffixed.Groups[1].Value : null),
            JsonKey = slots.Length == 5 && slots[2].Length > 0 ? slots[2] : null,
            VersionStage = stage,
            VersionId = id,
        };
    }

    private static string[] Distinct(string first, string? second) =>
        second is null || second.Length == 0 || second == first ? [first] : [first, second];

    [GeneratedRegex(@"\A[A-Za-z0-9/_+=.@-]+\z")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"\A(.+)-[A-Za-z0-9]{6}\z")]
    private static partial Regex SuffixPattern();
}
