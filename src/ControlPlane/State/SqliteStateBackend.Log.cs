namespace Orchestrator.ControlPlane.State;

public sealed partial class SqliteStateBackend
{
    private static partial class Log
    {
        [LoggerMessage(2, LogLevel.Information, "State database migrated to schema version {Version}")]
        public static partial void Migrated(ILogger logger, int version);
    }
}
