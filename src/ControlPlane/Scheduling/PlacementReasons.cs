namespace Orchestrator.ControlPlane.Scheduling;

/// <summary>ECS's failure reasons (RunTask <c>failures[].reason</c>), one per filter kind.</summary>
public static class PlacementReasons
{
    public const string Cpu = "RESOURCE:CPU";
    public const string Memory = "RESOURCE:MEMORY";
    public const string Ports = "RESOURCE:PORTS";
    public const string PortsUdp = "RESOURCE:PORTS_UDP";
    public const string Gpu = "RESOURCE:GPU";
    public const string Eni = "RESOURCE:ENI";
    /// <summary>No subnet of the (awsvpc) task serves the instance; ECS's reason for an instance outside the task's subnets' zones.</summary>
    public const string Location = "LOCATION";
    public const string Attribute = "ATTRIBUTE";
    public const string Agent = "AGENT";
    public const string Missing = "MISSING";
    public const string Inactive = "INACTIVE";
}
