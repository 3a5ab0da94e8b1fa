namespace Orchestrator.ControlPlane.State;

public sealed partial class EtcdLeadership
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Leader election: etcd did not answer ({Problem}); trying again")]
        public static partial void CampaignFailed(ILogger logger, string problem);

        [LoggerMessage(2, LogLevel.Warning, "This control plane ({Advertise}) is the leader: state loaded from etcd ({Tasks} tasks) in {Milliseconds:F0} ms")]
        public static partial void Elected(ILogger logger, string advertise, int tasks, double milliseconds);

        [LoggerMessage(3, LogLevel.Critical, "This control plane lost the lead ({Why}); stopping so that it starts again as a follower")]
        public static partial void LostLead(ILogger logger, string why);

        [LoggerMessage(4, LogLevel.Warning, "The change feed from etcd broke off ({Problem}); reloading the state")]
        public static partial void FeedBroken(ILogger logger, string problem);
    }
}
