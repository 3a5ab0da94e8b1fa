namespace Orchestrator.Ecs.Validation;

/// <summary>ECS's rules for attribute names and values, for PutAttributes, agent registrations and agent settings alike.</summary>
public static class AttributeRules
{
    public static bool IsValidName(string name) =>
        name is not null && name.Length is >= 1 and <= 128 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '/' or '\\' or '.');

    public static bool IsValidValue(string value) =>
        value is not null && value.Length is >= 1 and <= 128
        && value[0] != ' ' && value[^1] != ' '
        && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '/' or '\\' or '.' or '@' or ':' or ' ');
}
