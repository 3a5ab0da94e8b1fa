namespace Orchestrator.ControlPlane.Grpc;

public sealed partial class ClusterApiService
{
    private static partial class Log
    {
        // The command's arguments are not logged: they may carry secrets.
        [LoggerMessage(1, LogLevel.Information, "Exec by access key {AccessKeyId} in {TaskArn} container {Container}: {Program} with {ArgumentCount} arguments (tty {Tty})")]
        public static partial void ExecStarted(ILogger logger, string accessKeyId, string taskArn, string container, string program, int argumentCount, bool tty);

        [LoggerMessage(2, LogLevel.Information, "Exec in {TaskArn} container {Container} ended with exit code {ExitCode}")]
        public static partial void ExecEnded(ILogger logger, string taskArn, string container, int? exitCode);
    }
}
