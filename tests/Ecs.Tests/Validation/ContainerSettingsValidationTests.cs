using Orchestrator.Ecs.Json;
using Orchestrator.Ecs.Model;
using Orchestrator.Ecs.Validation;

namespace Orchestrator.Ecs.Tests.Validation;

/// <summary>The rules for the container-definition surface: ordering, volumes, health checks and Docker settings.</summary>
public sealed class ContainerSettingsValidationTests
{
    /// <summary>A task definition whose first container "a" has <paramref name="a"/> added; "b" and "c" are plain.</summary>
    private static string Task(string a, string b = "", string task = "") => $$"""
        {"family":"f"{{task}},"containerDefinitions":[
          {"name":"a","image":"i","memory":64{{a}}},
          {"name":"b","image":"i","memory":64,"essential":false{{b}}},
          {"name":"c","image":"i","memory":64}]}
        """;

    public static TheoryData<string, string> Invalid => new()
    {
        // links
        { Task(""","links":["b"]""", task: ""","networkMode":"host" """), "Links are not supported when networkMode=host" },
        { Task(""","links":["b"]""", task: ""","networkMode":"awsvpc" """), "Links are not supported when networkMode=awsvpc" },
        { Task(""","links":["x:alias"]"""), "Invalid link 'x:alias' in container 'a'. 'x' is not a container in this task definition." },
        { Task(""","links":["a"]"""), "Invalid link 'a' in container 'a'. A container cannot link to itself." },
        // awsvpc-only rules
        { Task(""","hostname":"web" """, task: ""","networkMode":"awsvpc" """), "Hostname is not supported when networkMode=awsvpc" },
        { Task(""","dnsServers":["10.0.0.2"]""", task: ""","networkMode":"awsvpc" """), "DNS servers are not supported when networkMode=awsvpc" },
        { Task(""","extraHosts":[{"hostname":"h","ipAddress":"10.0.0.9"}]""", task: ""","networkMode":"awsvpc" """), "Extra hosts are not supported when networkMode=awsvpc" },
        // dependsOn
        { Task(""","dependsOn":[{"containerName":"x","condition":"START"}]"""), "Invalid dependsOn for container 'a'. 'x' is not a container in this task definition." },
        { Task(""","dependsOn":[{"condition":"START"}]"""), "Invalid dependsOn for container 'a'. containerName must be set." },
        { Task(""","dependsOn":[{"containerName":"b","condition":"READY"}]"""), "Invalid dependsOn condition 'READY' for container 'a'. Valid values: START, COMPLETE, SUCCESS, HEALTHY." },
        { Task(""","dependsOn":[{"containerName":"a","condition":"START"}]"""), "Invalid dependsOn for container 'a'. A container cannot depend on itself." },
        { Task(""","dependsOn":[{"containerName":"c","condition":"COMPLETE"}]"""), "Invalid dependsOn for container 'a'. 'c' is essential, so it cannot be depended on with condition COMPLETE; mark it \"essential\": false." },
        { Task(""","dependsOn":[{"containerName":"c","condition":"SUCCESS"}]"""), "Invalid dependsOn for container 'a'. 'c' is essential, so it cannot be depended on with condition SUCCESS; mark it \"essential\": false." },
        { Task(""","dependsOn":[{"containerName":"b","condition":"HEALTHY"}]"""), "Invalid dependsOn for container 'a'. Condition HEALTHY needs a healthCheck on container 'b'." },
        { Task(""","dependsOn":[{"containerName":"b","condition":"START"}]""", b: ""","dependsOn":[{"containerName":"a","condition":"START"}]"""), "Container dependencies form a cycle: a -> b -> a." },
        { Task(""","volumesFrom":[{"sourceContainer":"b"}]""", b: ""","links":["a"]"""), "Container dependencies form a cycle: a -> b -> a." },
        // volumes and mount points
        { Task(""","mountPoints":[{"sourceVolume":"data","containerPath":"/data"}]"""), "Invalid mountPoint for container 'a'. sourceVolume 'data' is not a volume of this task definition." },
        { Task(""","mountPoints":[{"containerPath":"/data"}]"""), "Invalid mountPoint for container 'a'. sourceVolume must be set." },
        { Task(""","mountPoints":[{"sourceVolume":"data"}]""", task: ""","volumes":[{"name":"data"}]"""), "Invalid mountPoint for container 'a'. containerPath must be set." },
        { Task(""","mountPoints":[{"sourceVolume":"data","containerPath":"/d"},{"sourceVolume":"data","containerPath":"/d/"}]""", task: ""","volumes":[{"name":"data"}]"""), "Invalid mountPoint for container 'a'. containerPath '/d/' is mounted more than once." },
        { Task("", task: ""","volumes":[{"host":{"sourcePath":"/srv"}}]"""), "Invalid volume. Every volume needs a name." },
        { Task("", task: ""","volumes":[{"name":"my data"}]"""), "Invalid volume name 'my data'. Up to 255 letters, digits, hyphens and underscores are allowed." },
        { Task("", task: ""","volumes":[{"name":"d"},{"name":"d"}]"""), "Duplicate volume name 'd'. Volume names must be unique within a task definition." },
        { Task("", task: ""","volumes":[{"name":"d","host":{"sourcePath":"/srv"},"dockerVolumeConfiguration":{}}]"""), "Invalid volume 'd'. Specify only one of host, dockerVolumeConfiguration and efsVolumeConfiguration." },
        { Task("", task: ""","volumes":[{"name":"d","dockerVolumeConfiguration":{"scope":"global"}}]"""), "Invalid scope 'global' for volume 'd'. Valid values: task, shared." },
        { Task("", task: ""","volumes":[{"name":"d","dockerVolumeConfiguration":{"scope":"task","autoprovision":true}}]"""), "Invalid volume 'd'. autoprovision is only allowed when scope is shared." },
        { Task("", task: ""","volumes":[{"name":"d","dockerVolumeConfiguration":{"autoprovision":true}}]"""), "Invalid volume 'd'. autoprovision is only allowed when scope is shared." },
        { Task(""","volumesFrom":[{"sourceContainer":"x"}]"""), "Invalid volumesFrom for container 'a'. 'x' is not a container in this task definition." },
        { Task(""","volumesFrom":[{"readOnly":true}]"""), "Invalid volumesFrom for container 'a'. sourceContainer must be set." },
        { Task(""","volumesFrom":[{"sourceContainer":"a"}]"""), "Invalid volumesFrom for container 'a'. A container cannot mount volumes from itself." },
        // health check
        { Task(""","healthCheck":{"command":[]}"""), "Invalid healthCheck for container 'a'. command must be given, starting with CMD or CMD-SHELL." },
        { Task(""","healthCheck":{"command":["curl","-f","http://localhost/"]}"""), "Invalid healthCheck for container 'a'. command must start with CMD or CMD-SHELL, not 'curl'." },
        { Task(""","healthCheck":{"command":["CMD-SHELL"]}"""), "Invalid healthCheck for container 'a'. command needs something to run after CMD-SHELL." },
        { Task(""","healthCheck":{"command":["CMD","true"],"interval":4}"""), "Invalid healthCheck for container 'a'. interval must be between 5 and 300 seconds." },
        { Task(""","healthCheck":{"command":["CMD","true"],"interval":301}"""), "Invalid healthCheck for container 'a'. interval must be between 5 and 300 seconds." },
        { Task(""","healthCheck":{"command":["CMD","true"],"timeout":1}"""), "Invalid healthCheck for container 'a'. timeout must be between 2 and 60 seconds." },
        { Task(""","healthCheck":{"command":["CMD","true"],"timeout":61}"""), "Invalid healthCheck for container 'a'. timeout must be between 2 and 60 seconds." },
        { Task(""","healthCheck":{"command":["CMD","true"],"retries":0}"""), "Invalid healthCheck for container 'a'. retries must be between 1 and 10." },
        { Task(""","healthCheck":{"command":["CMD","true"],"retries":11}"""), "Invalid healthCheck for container 'a'. retries must be between 1 and 10." },
        { Task(""","healthCheck":{"command":["CMD","true"],"startPeriod":-1}"""), "Invalid healthCheck for container 'a'. startPeriod must be between 0 and 300 seconds." },
        { Task(""","healthCheck":{"command":["CMD","true"],"startPeriod":301}"""), "Invalid healthCheck for container 'a'. startPeriod must be between 0 and 300 seconds." },
        // ulimits
        { Task(""","ulimits":[{"name":"files","softLimit":1,"hardLimit":2}]"""), "Invalid ulimit name 'files' for container 'a'. Valid values: core, cpu, data, fsize, locks, memlock, msgqueue, nice, nofile, nproc, rss, rtprio, rttime, sigpending, stack." },
        { Task(""","ulimits":[{"name":"nofile","softLimit":1024}]"""), "Invalid ulimit 'nofile' for container 'a'. softLimit and hardLimit must be set." },
        { Task(""","ulimits":[{"name":"nofile","softLimit":4096,"hardLimit":1024}]"""), "Invalid ulimit 'nofile' for container 'a'. softLimit must not exceed hardLimit." },
        { Task(""","ulimits":[{"name":"nofile","softLimit":1,"hardLimit":2},{"name":"nofile","softLimit":1,"hardLimit":2}]"""), "Invalid ulimit 'nofile' for container 'a'. It is set more than once." },
        // linuxParameters
        { Task(""","linuxParameters":{"tmpfs":[{"containerPath":"/scratch","size":0}]}"""), "Invalid tmpfs '/scratch' for container 'a'. size must be greater than 0 MiB." },
        { Task(""","linuxParameters":{"tmpfs":[{"size":64}]}"""), "Invalid tmpfs for container 'a'. containerPath must be set." },
        { Task(""","linuxParameters":{"sharedMemorySize":0}"""), "Invalid linuxParameters for container 'a'. sharedMemorySize must be greater than 0 MiB." },
        { Task(""","linuxParameters":{"capabilities":{"add":["CAP_NET_ADMIN"]}}"""), "Invalid capability 'CAP_NET_ADMIN' for container 'a'. Use a Linux capability name without CAP_ (e.g. NET_ADMIN, SYS_PTRACE) or ALL." },
        // logging
        { Task(""","logConfiguration":{"logDriver":"loki"}"""), "Invalid logDriver 'loki' for container 'a'. Valid values: json-file, syslog, journald, gelf, fluentd, awslogs, splunk, awsfirelens." },
        { Task(""","logConfiguration":{"options":{"max-size":"1m"}}"""), "Invalid logDriver '' for container 'a'. Valid values: json-file, syslog, journald, gelf, fluentd, awslogs, splunk, awsfirelens." },
        { Task(""","logConfiguration":{"logDriver":"awsfirelens"}"""), "logDriver awsfirelens is not supported by this control plane yet (it needs firelensConfiguration)." },
        // GPUs and other resources
        { Task(""","resourceRequirements":[{"type":"GPU","value":"0"}]"""), "Invalid GPU resource requirement for container 'a'. value must be a whole number of GPUs greater than 0, not '0'." },
        { Task(""","resourceRequirements":[{"type":"GPU","value":"1.5"}]"""), "Invalid GPU resource requirement for container 'a'. value must be a whole number of GPUs greater than 0, not '1.5'." },
        { Task(""","resourceRequirements":[{"type":"GPU","value":"1"},{"type":"GPU","value":"1"}]"""), "Invalid resourceRequirements for container 'a'. GPU is given more than once." },
        { Task(""","resourceRequirements":[{"type":"TPU","value":"1"}]"""), "Invalid resourceRequirements type 'TPU' for container 'a'. Valid values: GPU, InferenceAccelerator." },
        { Task(""","resourceRequirements":[{"type":"InferenceAccelerator","value":"dev1"}]"""), "Resource type InferenceAccelerator is not supported by this control plane yet." },
        // DNS, hosts, labels, timeouts, ports
        { Task(""","dnsServers":["dns.example.com"]"""), "Invalid dnsServers entry 'dns.example.com' for container 'a'. It must be an IP address." },
        { Task(""","extraHosts":[{"hostname":"db"}]"""), "Invalid extraHosts entry for container 'a'. Each entry needs a hostname and an ipAddress." },
        { Task(""","extraHosts":[{"hostname":"db","ipAddress":"10.0.0.300"}]"""), "Invalid extraHosts entry 'db' for container 'a'. '10.0.0.300' is not an IP address." },
        { Task(""","dockerLabels":{"":"x"}"""), "Invalid dockerLabels for container 'a'. Label keys must not be empty." },
        { Task(""","startTimeout":-1"""), "Invalid 'startTimeout' setting for container 'a'. It must not be negative." },
        { Task(""","portMappings":[{"containerPort":80,"hostPort":8080},{"containerPort":80,"hostPort":8081}]"""), "Container port 80/tcp is mapped more than once in container 'a'." },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Validate_InvalidSetting_FailsWithClearMessage(string json, string message)
    {
        var error = Assert.Throws<EcsException>(() => TaskDefinitionValidator.Validate(EcsRequestReader.Read<RegisterTaskDefinitionRequest>(json)));

        Assert.Equal(EcsErrors.Client, error.ErrorType);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Validate_EveryImplementedMember_IsAcceptedAndKept()
    {
        const string json = """
            {"family":"shop","networkMode":"bridge",
             "volumes":[{"name":"scratch"},{"name":"logs","host":{"sourcePath":"/var/log/shop"}},
                        {"name":"cache","dockerVolumeConfiguration":{"scope":"shared","autoprovision":true,"driver":"local",
                         "driverOpts":{"type":"tmpfs","device":"tmpfs"},"labels":{"team":"shop"}}}],
             "containerDefinitions":[
              {"name":"init","image":"i","memory":32,"essential":false,"command":["sh","-c","echo ok > /data/ready"],
               "mountPoints":[{"sourceVolume":"scratch","containerPath":"/data"}]},
              {"name":"db","image":"i","memory":64,"essential":false,"startTimeout":60,
               "healthCheck":{"command":["CMD-SHELL","test -f /tmp/up"],"interval":5,"timeout":2,"retries":1,"startPeriod":0}},
              {"name":"web","image":"i","memory":128,"links":["db:database"],
               "dependsOn":[{"containerName":"init","condition":"SUCCESS"},{"containerName":"db","condition":"HEALTHY"}],
               "volumesFrom":[{"sourceContainer":"init","readOnly":true}],
               "mountPoints":[{"sourceVolume":"logs","containerPath":"/logs","readOnly":false},{"sourceVolume":"cache","containerPath":"/cache"}],
               "portMappings":[{"containerPort":80}],"environment":[{"name":"A","value":"1"}],
               "stopTimeout":10,"hostname":"web","user":"1000:1000","workingDirectory":"/srv","privileged":false,
               "readonlyRootFilesystem":true,"dnsServers":["10.0.0.2"],"extraHosts":[{"hostname":"api","ipAddress":"10.0.0.9"}],
               "dockerLabels":{"app":"shop"},"ulimits":[{"name":"nofile","softLimit":1024,"hardLimit":4096}],
               "linuxParameters":{"capabilities":{"add":["NET_ADMIN"],"drop":["MKNOD"]},"initProcessEnabled":true,
                                  "sharedMemorySize":64,"tmpfs":[{"containerPath":"/run","size":16,"mountOptions":["noexec"]}]},
               "logConfiguration":{"logDriver":"json-file","options":{"max-size":"1m"}},
               "resourceRequirements":[{"type":"GPU","value":"2"}]}]}
            """;

        var request = TaskDefinitionValidator.Validate(EcsRequestReader.Read<RegisterTaskDefinitionRequest>(json));

        Assert.Equal(3, request.Volumes!.Count);
        var web = request.ContainerDefinitions![2];
        Assert.Equal(["db:database"], web.Links);
        Assert.Equal(ContainerConditions.Healthy, web.DependsOn![1].Condition);
        Assert.True(web.VolumesFrom![0].ReadOnly);
        Assert.Equal(2, web.GpuCount);
        Assert.Equal(16, web.LinuxParameters!.Tmpfs![0].Size);
        Assert.Equal("shop", web.DockerLabels!["app"]);
        Assert.Equal(1, request.ContainerDefinitions[1].HealthCheck!.Retries);
        Assert.Equal("tmpfs", request.Volumes[2].DockerVolumeConfiguration!.DriverOpts!["type"]);
    }

    [Theory]
    [InlineData("volumes[0].fsxWindowsFileServerVolumeConfiguration", """{"family":"f","volumes":[{"name":"v","fsxWindowsFileServerVolumeConfiguration":{"fileSystemId":"fs-1"}}],"containerDefinitions":[{"name":"a","image":"i","memory":64}]}""")]
    [InlineData("containerDefinitions[0].linuxParameters.devices", """{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64,"linuxParameters":{"devices":[{"hostPath":"/dev/fuse"}]}}]}""")]
    [InlineData("containerDefinitions[0].firelensConfiguration", """{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64,"firelensConfiguration":{"type":"fluentbit"}}]}""")]
    public void Read_NestedMemberNotImplemented_IsRefusedByPath(string path, string json)
    {
        var error = Assert.Throws<EcsException>(() => EcsRequestReader.Read<RegisterTaskDefinitionRequest>(json));

        Assert.StartsWith($"Parameter {path} is not supported by this control plane yet: the value ", error.Message, StringComparison.Ordinal);
    }
}
