using System.Reflection;
using System.Security.Cryptography;

namespace Orchestrator.Agent.Registration;

/// <summary>Who this host and this agent are.</summary>
public static class HostIdentity
{
    /// <summary>A new host ID in the managed-instance shape ECS shows as ec2InstanceId: <c>mi-</c> and 17 lowercase hex digits.</summary>
    public static string NewHostId() => "mi-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(9))[..17];

    /// <summary>The agent's version and source revision, from the assembly's informational version (<c>0.1.0+abc123</c>).</summary>
    public static (string Version, string Hash) AgentVersion()
    {
        var informational = typeof(HostIdentity).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? typeof(HostIdentity).Assembly.GetName().Version?.ToString()
            ?? "0.0.0";
        var plus = informational.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? (informational, "") : (informational[..plus], informational[(plus + 1)..]);
    }
}
