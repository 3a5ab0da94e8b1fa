using Orchestrator.Ecs.Model;

namespace Orchestrator.Ecs.Validation;

public static partial class TaskDefinitionValidator
{
    /// <summary>
    /// A container's <c>secrets</c>: name and valueFrom required, valueFrom in one of ECS's forms, and each variable
    /// named once among environment and secrets. The secret itself need not exist yet (as in ECS): a task that names a
    /// missing one stops when it is launched.
    /// </summary>
    private static void ValidateSecrets(ContainerDefinition container, string? name)
    {
        var seen = new HashSet<string>((container.Environment ?? []).Select(e => e.Name ?? ""), StringComparer.Ordinal);
        foreach (var secret in container.Secrets ?? [])
        {
            if (string.IsNullOrEmpty(secret.Name))
            {
                throw EcsException.Client($"Invalid secrets setting for container '{name}'. Every secret needs a name.");
            }

            if (secret.Name.Length > 255 || secret.Name.Contains('=', StringComparison.Ordinal) || secret.Name.Any(char.IsControl))
            {
                throw EcsException.Client($"Invalid secrets setting for container '{name}'. A secret's name is an environment variable name: at most 255 characters, without an equals sign or control characters.");
            }

            if (string.IsNullOrEmpty(secret.ValueFrom))
            {
                throw EcsException.Client($"Invalid secrets setting for container '{name}'. Secret '{EcsText.Cut(secret.Name, 64)}' needs a valueFrom.");
            }

            if (SecretReference.Parse(secret.ValueFrom, out var problem) is null)
            {
                throw EcsException.Client($"Invalid secrets setting for container '{name}'. Secret '{EcsText.Cut(secret.Name, 64)}': {problem}");
            }

            if (!seen.Add(secret.Name))
            {
                throw EcsException.Client(
                    $"Invalid secrets setting for container '{name}'. The variable '{EcsText.Cut(secret.Name, 64)}' is defined more than once among environment and secrets.");
            }
        }
    }

    /// <summary>
    /// A container's <c>repositoryCredentials.credentialsParameter</c>: one of ECS's secret forms. An empty
    /// <c>repositoryCredentials</c> asks for nothing (anonymous pulls). The secret need not exist yet, as for
    /// <c>secrets</c>; that its value is <c>{"username","password"}</c> is checked when a task is launched.
    /// </summary>
    private static void ValidateRepositoryCredentials(ContainerDefinition container, string? name)
    {
        if (container.RepositoryCredentials?.CredentialsParameter is not { Length: > 0 } parameter)
        {
            return;
        }

        if (SecretReference.Parse(parameter, out var problem) is null)
        {
            throw EcsException.Client($"Invalid repositoryCredentials setting for container '{name}'. credentialsParameter: {problem}");
        }
    }

    /// <summary>
    /// A container's <c>logConfiguration.secretOptions</c>: each a log driver option (name) whose value comes from a
    /// secret in one of ECS's forms (valueFrom), named once among the driver's options and secret options. As for
    /// <c>secrets</c>, the secret need not exist yet: a task naming a missing one stops when it is launched.
    /// </summary>
    private static void ValidateLogSecretOptions(ContainerDefinition container, string? name)
    {
        if (container.LogConfiguration is not { SecretOptions: { } options } log)
        {
            return;
        }

        var prefix = $"Invalid logConfiguration.secretOptions setting for container '{name}'.";
        var seen = new HashSet<string>((log.Options ?? new Dictionary<string, string>()).Keys, StringComparer.Ordinal);
        foreach (var option in options)
        {
            if (string.IsNullOrEmpty(option.Name))
            {
                throw EcsException.Client($"{prefix} Every secret option needs a name.");
            }

            if (option.Name.Length > 255 || option.Name.Any(char.IsControl))
            {
                throw EcsException.Client($"{prefix} A secret option's name is a log driver option: at most 255 characters, without control characters.");
            }

            if (string.IsNullOrEmpty(option.ValueFrom))
            {
                throw EcsException.Client($"{prefix} Secret option '{EcsText.Cut(option.Name, 64)}' needs a valueFrom.");
            }

            if (SecretReference.Parse(option.ValueFrom, out var problem) is null)
            {
                throw EcsException.Client($"{prefix} Secret option '{EcsText.Cut(option.Name, 64)}': {problem}");
            }

            if (!seen.Add(option.Name))
            {
                throw EcsException.Client($"{prefix} The option '{EcsText.Cut(option.Name, 64)}' is given more than once among options and secretOptions.");
            }
        }
    }
}
