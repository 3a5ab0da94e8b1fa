namespace Orchestrator.Agent.Security;

/// <summary>
/// The agent cannot go on without an operator: a refused activation, a CA that does not match the fingerprint it was
/// given, no certificate and no activation. The message is one line, for the log and stderr; it never holds a secret.
/// </summary>
public sealed class AgentRefusedException : Exception
{
    public AgentRefusedException()
    {
    }

    public AgentRefusedException(string message)
        : base(message)
    {
    }

    public AgentRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
