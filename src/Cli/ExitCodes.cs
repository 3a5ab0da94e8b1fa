namespace Orchestrator.Cli;

/// <summary>Exit codes, following the AWS CLI where it has one.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The command ran but its outcome is a failure: no task placed, a task stopped, a wait timed out.</summary>
    public const int Failure = 1;

    /// <summary>The command line does not parse: an unknown option or command, a missing value (the AWS CLI's 252).</summary>
    public const int UsageError = 252;

    /// <summary>
    /// The configuration is unusable: a malformed config file, a key id without its secret, an unreadable CA file (the
    /// AWS CLI's 253).
    /// </summary>
    public const int ConfigurationError = 253;

    /// <summary>The service answered with an error, or refused the credentials (the AWS CLI's 254).</summary>
    public const int ServiceError = 254;

    /// <summary>A local problem: the control plane could not be reached, a file could not be read (the AWS CLI's 255).</summary>
    public const int LocalError = 255;
}
