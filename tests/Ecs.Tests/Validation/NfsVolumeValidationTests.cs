using Orchestrator.Ecs.Json;
using Orchestrator.Ecs.Model;
using Orchestrator.Ecs.Validation;

namespace Orchestrator.Ecs.Tests.Validation;

/// <summary>
/// <c>efsVolumeConfiguration</c> with an NFS server (<c>fileSystemId</c> = <c>SERVER:/EXPORT</c>): what is accepted, and
/// that every value that could add a mount option or leave the export is refused with a short ClientException.
/// </summary>
public sealed class NfsVolumeValidationTests
{
    private static string Task(string efs) => $$$"""
        {"family":"f","volumes":[{"name":"data","efsVolumeConfiguration":{{{efs}}}}],
         "containerDefinitions":[{"name":"a","image":"i","memory":64,"mountPoints":[{"sourceVolume":"data","containerPath":"/data"}]}]}
        """;

    private static RegisterTaskDefinitionRequest Validate(string json) =>
        TaskDefinitionValidator.Validate(EcsRequestReader.Read<RegisterTaskDefinitionRequest>(json));

    [Theory]
    [InlineData("10.0.0.5:/exports/data", null, "10.0.0.5", "/exports/data", ":/exports/data")]
    [InlineData("10.0.0.5:/exports/data/", "/", "10.0.0.5", "/exports/data", ":/exports/data")]
    [InlineData("nfs.example.internal:/", "/web/v1", "nfs.example.internal", "/", ":/web/v1")]
    [InlineData("nas-01:/srv/nfs", "/web/", "nas-01", "/srv/nfs", ":/srv/nfs/web")]
    [InlineData("127.0.0.1:/exports/a_b-c.d+e@f~g", "/x", "127.0.0.1", "/exports/a_b-c.d+e@f~g", ":/exports/a_b-c.d+e@f~g/x")]
    public void Validate_NfsExport_IsAcceptedAndParsed(string fileSystemId, string? rootDirectory, string server, string export, string device)
    {
        var root = rootDirectory is null ? "" : $",\"rootDirectory\":\"{rootDirectory}\"";
        var request = Validate(Task($$$"""{"fileSystemId":"{{{fileSystemId}}}"{{{root}}},"transitEncryption":"DISABLED","authorizationConfig":{"iam":"DISABLED"}}"""));

        var efs = request.Volumes![0].EfsVolumeConfiguration!;
        var parsed = NfsExport.Parse("data", efs.FileSystemId, efs.RootDirectory);
        Assert.Equal(server, parsed.Server);
        Assert.Equal(export, parsed.Export);
        Assert.Equal(device, parsed.Device);
        Assert.Equal("DISABLED", efs.TransitEncryption);
    }

    public static TheoryData<string, string> Refused => new()
    {
        { """{}""", "Invalid efsVolumeConfiguration for volume 'data'. fileSystemId must be set to an NFS export, SERVER:/EXPORT." },
        { """{"fileSystemId":"fs-0123456789abcdef0"}""", "Invalid fileSystemId for volume 'data'. Use an NFS export, SERVER:/EXPORT (for example 10.0.0.5:/exports/data)." },
        { """{"fileSystemId":":/exports"}""", "Invalid fileSystemId for volume 'data'. Use an NFS export, SERVER:/EXPORT (for example 10.0.0.5:/exports/data)." },
        { """{"fileSystemId":"10.0.0.5,nolock:/exports"}""", "Invalid fileSystemId for volume 'data'. The NFS server must be a host name or an IPv4 address." },
        { """{"fileSystemId":"10.0.0.5,port=2050:/exports"}""", "Invalid fileSystemId for volume 'data'. The NFS server must be a host name or an IPv4 address." },
        { """{"fileSystemId":"nfs host:/exports"}""", "Invalid fileSystemId for volume 'data'. The NFS server must be a host name or an IPv4 address." },
        { """{"fileSystemId":"10.0.0.300:/exports"}""", "Invalid fileSystemId for volume 'data'. The NFS server must be a host name or an IPv4 address." },
        { """{"fileSystemId":"10.0.0:/exports"}""", "Invalid fileSystemId for volume 'data'. The NFS server must be a host name or an IPv4 address." },
        { """{"fileSystemId":"[::1]:/exports"}""", "Invalid fileSystemId for volume 'data'. The NFS server must be a host name or an IPv4 address." },
        { """{"fileSystemId":"-o:/exports"}""", "Invalid fileSystemId for volume 'data'. The NFS server must be a host name or an IPv4 address." },
        { """{"fileSystemId":"a=b:/exports"}""", "Invalid fileSystemId for volume 'data'. The NFS server must be a host name or an IPv4 address." },
        { """{"fileSystemId":"10.0.0.5:exports"}""", "Invalid fileSystemId for volume 'data'. The export must be an absolute path of letters, digits and . _ - / + @ ~, with no .. segment." },
        { """{"fileSystemId":"10.0.0.5:/exports,addr=192.0.2.1"}""", "Invalid fileSystemId for volume 'data'. The export must be an absolute path of letters, digits and . _ - / + @ ~, with no .. segment." },
        { """{"fileSystemId":"10.0.0.5:/exports data"}""", "Invalid fileSystemId for volume 'data'. The export must be an absolute path of letters, digits and . _ - / + @ ~, with no .. segment." },
        { """{"fileSystemId":"10.0.0.5:/exports/../etc"}""", "Invalid fileSystemId for volume 'data'. The export must be an absolute path of letters, digits and . _ - / + @ ~, with no .. segment." },
        { """{"fileSystemId":"10.0.0.5:/exports:/other"}""", "Invalid fileSystemId for volume 'data'. The export must be an absolute path of letters, digits and . _ - / + @ ~, with no .. segment." },
        { """{"fileSystemId":"10.0.0.5:/exports\nx"}""", "Invalid fileSystemId for volume 'data'. The export must be an absolute path of letters, digits and . _ - / + @ ~, with no .. segment." },
        { """{"fileSystemId":"10.0.0.5:/exports","rootDirectory":"/../../etc"}""", "Invalid rootDirectory for volume 'data'. It must be an absolute path of letters, digits and . _ - / + @ ~, with no .. segment." },
        { """{"fileSystemId":"10.0.0.5:/exports","rootDirectory":"/web/.."}""", "Invalid rootDirectory for volume 'data'. It must be an absolute path of letters, digits and . _ - / + @ ~, with no .. segment." },
        { """{"fileSystemId":"10.0.0.5:/exports","rootDirectory":"/web,ro"}""", "Invalid rootDirectory for volume 'data'. It must be an absolute path of letters, digits and . _ - / + @ ~, with no .. segment." },
        { """{"fileSystemId":"10.0.0.5:/exports","rootDirectory":"/a b"}""", "Invalid rootDirectory for volume 'data'. It must be an absolute path of letters, digits and . _ - / + @ ~, with no .. segment." },
        { """{"fileSystemId":"10.0.0.5:/exports","rootDirectory":"/a\"b"}""", "Invalid rootDirectory for volume 'data'. It must be an absolute path of letters, digits and . _ - / + @ ~, with no .. segment." },
        { """{"fileSystemId":"10.0.0.5:/exports","transitEncryption":"ENABLED"}""", "Invalid efsVolumeConfiguration for volume 'data'. transitEncryption ENABLED needs a TLS mount helper, which this cluster does not have; use DISABLED (plain NFS)." },
        { """{"fileSystemId":"10.0.0.5:/exports","transitEncryption":"ON"}""", "Invalid transitEncryption 'ON' for volume 'data'. Valid values: ENABLED, DISABLED." },
        { """{"fileSystemId":"10.0.0.5:/exports","transitEncryptionPort":2049}""", "Invalid efsVolumeConfiguration for volume 'data'. transitEncryptionPort is only allowed with transitEncryption ENABLED." },
        { """{"fileSystemId":"10.0.0.5:/exports","authorizationConfig":{"accessPointId":"fsap-1"}}""", "Invalid efsVolumeConfiguration for volume 'data'. EFS access points do not exist for an NFS server; leave accessPointId out and use rootDirectory." },
        { """{"fileSystemId":"10.0.0.5:/exports","authorizationConfig":{"iam":"ENABLED"}}""", "Invalid efsVolumeConfiguration for volume 'data'. IAM authorization is an EFS feature an NFS server does not have; use DISABLED." },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Validate_HostileOrUnsupportedValue_IsRefusedWithShortClientException(string efs, string message)
    {
        var error = Assert.Throws<EcsException>(() => Validate(Task(efs)));

        Assert.Equal(EcsErrors.Client, error.ErrorType);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Validate_EfsTogetherWithDockerVolumeConfiguration_IsRefused()
    {
        var error = Assert.Throws<EcsException>(() => Validate("""
            {"family":"f","volumes":[{"name":"data","dockerVolumeConfiguration":{},"efsVolumeConfiguration":{"fileSystemId":"10.0.0.5:/x"}}],
             "containerDefinitions":[{"name":"a","image":"i","memory":64}]}
            """));

        Assert.Equal("Invalid volume 'data'. Specify only one of host, dockerVolumeConfiguration and efsVolumeConfiguration.", error.Message);
    }

    [Fact]
    public void Read_UnknownMemberOfEfsVolumeConfiguration_IsRefusedByPath()
    {
        var error = Assert.Throws<EcsException>(() => Validate(Task("""{"fileSystemId":"10.0.0.5:/x","mountOptions":"nolock"}""")));

        Assert.Equal("Unknown parameter volumes[0].efsVolumeConfiguration.mountOptions.", error.Message);
    }

    [Fact]
    public void Validate_DockerVolumeConfigurationWithNfsDriverOpts_IsAcceptedAndKept()
    {
        var request = Validate("""
            {"family":"f","volumes":[{"name":"data","dockerVolumeConfiguration":{"scope":"shared","autoprovision":true,"driver":"local",
              "driverOpts":{"type":"nfs","o":"addr=10.0.0.5,nfsvers=4.1,rw","device":":/exports/data"}}}],
             "containerDefinitions":[{"name":"a","image":"i","memory":64,"mountPoints":[{"sourceVolume":"data","containerPath":"/data"}]}]}
            """);

        var options = request.Volumes![0].DockerVolumeConfiguration!.DriverOpts!;
        Assert.Equal("nfs", options["type"]);
        Assert.Equal("addr=10.0.0.5,nfsvers=4.1,rw", options["o"]);
        Assert.Equal(":/exports/data", options["device"]);
    }
}
