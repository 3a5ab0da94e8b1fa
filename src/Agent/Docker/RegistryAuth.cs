namespace Orchestrator.Agent.Docker;

/// <summary>
/// A login to the registry an image is pulled from, sent to Docker as its X-Registry-Auth header for that pull only
/// (never stored, never written to Docker's config). Its <see cref="ToString"/> leaves the password out.
/// </summary>
public sealed record RegistryAuth(string Username, string Password)
{
    public override string ToString() => $"RegistryAuth {{ Username = {Username} }}";
}
