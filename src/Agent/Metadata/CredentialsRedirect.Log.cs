namespace Orchestrator.Agent.Metadata;

public sealed partial class CredentialsRedirect
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Task role credentials: iptables -t nat {Rule}")]
        public static partial void Installed(ILogger logger, string rule);

        [LoggerMessage(2, LogLevel.Warning, "Task role credentials: could not install iptables -t nat {Rule} ({Error}); containers cannot reach 169.254.170.2")]
        public static partial void Failed(ILogger logger, string rule, string error);
    }
}
