using System.Text.Json;
using Orchestrator.Contracts.Agent;
using Orchestrator.ControlPlane.Application;
using Orchestrator.Ecs.Json;

namespace Orchestrator.ControlPlane.Tests.Contract;

/// <summary>The control plane's ECS API against ECS's own API model: names, types, enums and required members.</summary>
public sealed class EcsContractTests
{
    [Fact]
    public void RequestShapes_EveryMemberWeReadIsAnEcsMember()
    {
        var model = EcsModel.Instance;
        foreach (var (action, (request, _)) in EcsActions.Shapes)
        {
            var ecsMembers = model.Members(model.InputShape(action));
            var ours = EcsJson.Options.GetTypeInfo(request).Properties.Select(p => p.Name);
            Assert.All(ours, name => Assert.True(ecsMembers.Contains(name), $"{action}: {name} is not a member of ECS's {model.InputShape(action)}"));
        }
    }

    [Fact]
    public async Task Responses_OfATaskLifecycle_ConformToTheModel()
    {
        using var cluster = new TestCluster();
        var (instanceArn, _) = await cluster.AddInstanceAsync();
        var checker = new Checker(cluster);

        await checker.CallAsync("CreateCluster", """{"clusterName":"default","tags":[{"key":"team","value":"infra"}]}""");
        await checker.CallAsync("DescribeClusters", """{"clusters":["default","missing"],"include":["TAGS","SETTINGS","STATISTICS"]}""");
        await checker.CallAsync("ListClusters", "{}");
        await checker.CallAsync("RegisterTaskDefinition", """
            {"family":"web","cpu":"256","memory":"512","tags":[{"key":"app","value":"web"}],
             "containerDefinitions":[{"name":"web","image":"local/busybox:1","memoryReservation":64,"essential":true,
               "portMappings":[{"containerPort":80,"hostPort":0,"protocol":"tcp"}],"environment":[{"name":"A","value":"1"}],
               "command":["httpd","-f"],"entryPoint":["/bin/sh","-c"],"stopTimeout":5}]}
            """);
        await checker.CallAsync("DescribeTaskDefinition", """{"taskDefinition":"web","include":["TAGS"]}""");
        await checker.CallAsync("RegisterTaskDefinition", """
            {"family":"surface",
             "volumes":[{"name":"scratch"},{"name":"logs","host":{"sourcePath":"/var/log/app"}},
                        {"name":"cache","dockerVolumeConfiguration":{"scope":"shared","autoprovision":true,"driver":"local",
                         "driverOpts":{"type":"tmpfs"},"labels":{"team":"a"}}},
                        {"name":"nfs","efsVolumeConfiguration":{"fileSystemId":"10.0.0.5:/exports","rootDirectory":"/web",
                         "transitEncryption":"DISABLED","authorizationConfig":{"iam":"DISABLED"}}}],
             "containerDefinitions":[
              {"name":"init","image":"local/busybox:1","memory":32,"essential":false,
               "mountPoints":[{"sourceVolume":"scratch","containerPath":"/data","readOnly":false}]},
              {"name":"db","image":"local/busybox:1","memory":32,"essential":false,"startTimeout":30,
               "healthCheck":{"command":["CMD-SHELL","true"],"interval":5,"timeout":2,"retries":1,"startPeriod":0}},
              {"name":"web","image":"local/busybox:1","memory":64,"links":["db:database"],
               "dependsOn":[{"containerName":"init","condition":"SUCCESS"},{"containerName":"db","condition":"HEALTHY"}],
               "volumesFrom":[{"sourceContainer":"init","readOnly":true}],
               "mountPoints":[{"sourceVolume":"logs","containerPath":"/logs"},{"sourceVolume":"cache","containerPath":"/cache"}],
               "hostname":"web","user":"1000","workingDirectory":"/srv","privileged":false,"readonlyRootFilesystem":true,
               "dnsServers":["10.0.0.2"],"extraHosts":[{"hostname":"api","ipAddress":"10.0.0.9"}],"dockerLabels":{"app":"a"},
               "ulimits":[{"name":"nofile","softLimit":1024,"hardLimit":4096}],
               "linuxParameters":{"capabilities":{"add":["NET_ADMIN"],"drop":["MKNOD"]},"initProcessEnabled":true,
                                  "sharedMemorySize":64,"tmpfs":[{"containerPath":"/run","size":16,"mountOptions":["noexec"]}]},
               "logConfiguration":{"logDriver":"json-file","options":{"max-size":"1m"}},
               "resourceRequirements":[{"type":"GPU","value":"1"}]}]}
            """);
        var surface = (await checker.CallAsync("DescribeTaskDefinition", """{"taskDefinition":"surface"}""")).GetProperty("taskDefinition");
        Assert.Equal(4, surface.GetProperty("volumes").GetArrayLength());
        Assert.Equal("10.0.0.5:/exports", surface.GetProperty("volumes")[3].GetProperty("efsVolumeConfiguration").GetProperty("fileSystemId").GetString());
        Assert.Equal("HEALTHY", surface.GetProperty("containerDefinitions")[2].GetProperty("dependsOn")[1].GetProperty("condition").GetString());
        await checker.CallAsync("ListTaskDefinitions", """{"familyPrefix":"w","sort":"DESC"}""");
        await checker.CallAsync("ListTaskDefinitionFamilies", "{}");
        var run = await checker.CallAsync("RunTask", """{"taskDefinition":"web","count":2,"startedBy":"contract","tags":[{"key":"k","value":"v"}]}""");
        var taskArn = run.GetProperty("tasks")[0].GetProperty("taskArn").GetString()!;
        await checker.CallAsync("RunTask", """{"taskDefinition":"web","count":10}"""); // partly placed: failures

        var running = new TaskState { TaskArn = taskArn, LastStatus = Status.Running, HealthStatus = "HEALTHY" };
        var container = new ContainerState { Name = "web", LastStatus = Status.Running, RuntimeId = "c0ffee", HealthStatus = "HEALTHY" };
        container.NetworkBindings.Add(new NetworkBinding { BindIp = "0.0.0.0", ContainerPort = 80, HostPort = 32768, Protocol = "tcp" });
        running.Containers.Add(container);
        await cluster.Reports.ApplyAsync(instanceArn, new TaskStateChange { Sequence = 1, Task = running }, TestCluster.Token);

        await checker.CallAsync("DescribeTasks", $$"""{"tasks":["{{taskArn}}","0123456789abcdef0123456789abcdef"],"include":["TAGS"]}""");
        await checker.CallAsync("ListTasks", """{"maxResults":1}""");
        await checker.CallAsync("UpdateTaskProtection", $$"""{"cluster":"default","tasks":["{{taskArn}}"],"protectionEnabled":false}""");
        var protection = await checker.CallAsync("GetTaskProtection", $$"""{"cluster":"default","tasks":["{{taskArn}}","0123456789abcdef0123456789abcdef"]}""");
        Assert.False(protection.GetProperty("protectedTasks")[0].GetProperty("protectionEnabled").GetBoolean());
        Assert.Equal("MISSING", protection.GetProperty("failures")[0].GetProperty("reason").GetString());
        await checker.CallAsync("StopTask", $$"""{"task":"{{taskArn}}","reason":"contract test"}""");
        var stopped = new TaskState { TaskArn = taskArn, LastStatus = Status.Stopped };
        stopped.Containers.Add(new ContainerState { Name = "web", LastStatus = Status.Stopped, ExitCode = 143 });
        await cluster.Reports.ApplyAsync(instanceArn, new TaskStateChange { Sequence = 2, Task = stopped }, TestCluster.Token);
        await checker.CallAsync("DescribeTasks", $$"""{"tasks":["{{taskArn}}"]}""");

        await checker.CallAsync("ListContainerInstances", "{}");
        await checker.CallAsync("DescribeContainerInstances", $$"""{"containerInstances":["{{instanceArn}}"],"include":["TAGS"]}""");
        await checker.CallAsync("PutAttributes", $$"""{"attributes":[{"name":"zone","value":"a","targetType":"container-instance","targetId":"{{instanceArn}}"}]}""");
        await checker.CallAsync("ListAttributes", """{"targetType":"container-instance","attributeName":"zone"}""");
        await checker.CallAsync("DeleteAttributes", $$"""{"attributes":[{"name":"zone","targetId":"{{instanceArn}}"}]}""");
        await checker.CallAsync("TagResource", $$"""{"resourceArn":"{{taskArn}}","tags":[{"key":"extra","value":"1"}]}""");
        await checker.CallAsync("ListTagsForResource", $$"""{"resourceArn":"{{taskArn}}"}""");
        await checker.CallAsync("UntagResource", $$"""{"resourceArn":"{{taskArn}}","tagKeys":["extra"]}""");
        var service = await checker.CallAsync("CreateService", """{"serviceName":"api","taskDefinition":"web","desiredCount":1,"deploymentConfiguration":{"deploymentCircuitBreaker":{"enable":true,"rollback":true},"maximumPercent":200,"minimumHealthyPercent":50},"healthCheckGracePeriodSeconds":10,"tags":[{"key":"k","value":"v"}]}""");
        await cluster.Scheduler.ReconcileAsync(service.GetProperty("service").GetProperty("serviceArn").GetString()!, TestCluster.Token);
        await checker.CallAsync("UpdateService", """{"service":"api","desiredCount":2,"forceNewDeployment":true}""");
        var described = await checker.CallAsync("DescribeServices", """{"services":["api","missing"],"include":["TAGS"]}""");
        var current = described.GetProperty("services")[0].GetProperty("currentServiceDeployment").GetString()!;
        var deployments = await checker.CallAsync("ListServiceDeployments", """{"service":"api"}""");
        Assert.Equal(current, deployments.GetProperty("serviceDeployments")[0].GetProperty("serviceDeploymentArn").GetString());
        Assert.Equal(2, deployments.GetProperty("serviceDeployments").GetArrayLength());
        var deployment = (await checker.CallAsync("DescribeServiceDeployments", $$"""{"serviceDeploymentArns":["{{current}}","{{current}}0"]}""")).GetProperty("serviceDeployments")[0];
        Assert.Equal("IN_PROGRESS", deployment.GetProperty("status").GetString());
        var revision = deployment.GetProperty("targetServiceRevision").GetProperty("arn").GetString()!;
        var revisions = await checker.CallAsync("DescribeServiceRevisions", $$"""{"serviceRevisionArns":["{{revision}}"]}""");
        Assert.EndsWith("task-definition/web:1", revisions.GetProperty("serviceRevisions")[0].GetProperty("taskDefinition").GetString(), StringComparison.Ordinal);
        Assert.Equal("local/busybox:1", revisions.GetProperty("serviceRevisions")[0].GetProperty("containerImages")[0].GetProperty("image").GetString());
        await checker.CallAsync("ListServices", """{"schedulingStrategy":"REPLICA"}""");
        await checker.CallAsync("ListTasks", """{"serviceName":"api"}""");
        await checker.CallAsync("DeleteService", """{"service":"api","force":true}""");
        await checker.CallAsync("StartTask", $$"""{"taskDefinition":"web:1","containerInstances":["{{instanceArn}}"]}""");
        await checker.CallAsync("UpdateContainerInstancesState", $$"""{"containerInstances":["{{instanceArn}}"],"status":"DRAINING"}""");
        await checker.CallAsync("DeregisterContainerInstance", $$"""{"containerInstance":"{{instanceArn}}","force":true}""");
        await checker.CallAsync("DeregisterTaskDefinition", """{"taskDefinition":"web:1"}""");
        var deleted = await checker.CallAsync("DeleteTaskDefinitions", """{"taskDefinitions":["web:1","surface:1","web:9"]}""");
        Assert.Equal("DELETE_IN_PROGRESS", deleted.GetProperty("taskDefinitions")[0].GetProperty("status").GetString());
        Assert.Equal(2, deleted.GetProperty("failures").GetArrayLength());
        await checker.CallAsync("UpdateClusterSettings", """{"cluster":"default","settings":[{"name":"containerInsights","value":"enabled"}]}""");
        var updatedCluster = await checker.CallAsync("UpdateCluster", """{"cluster":"default","settings":[{"name":"containerInsights","value":"enhanced"}],"configuration":{}}""");
        Assert.Equal("enhanced", updatedCluster.GetProperty("cluster").GetProperty("settings")[0].GetProperty("value").GetString());
        await checker.CallAsync("PutAccountSettingDefault", """{"name":"containerInsights","value":"enhanced"}""");
        await checker.CallAsync("PutAccountSetting", """{"name":"tagResourceAuthorization","value":"off"}""");
        var effective = await checker.CallAsync("ListAccountSettings", """{"effectiveSettings":true,"maxResults":20}""");
        Assert.Equal(11, effective.GetProperty("settings").GetArrayLength());
        await checker.CallAsync("DeleteAccountSetting", """{"name":"tagResourceAuthorization"}""");
        var insights = await checker.CallAsync("CreateCluster", """{"clusterName":"insightful"}""");
        Assert.Equal("enhanced", insights.GetProperty("cluster").GetProperty("settings")[0].GetProperty("value").GetString());
        await checker.CallAsync("ListServicesByNamespace", """{"namespace":"local"}""");
        await checker.CallAsync("DescribeCapacityProviders", """{"capacityProviders":["FARGATE"]}""");
        await checker.CallAsync("CreateCapacityProvider", """
            {"name":"big","autoScalingGroupProvider":{"autoScalingGroupArn":"attribute:ecs.os-type == linux",
             "managedScaling":{"status":"ENABLED","targetCapacity":90},"managedTerminationProtection":"ENABLED"},"tags":[{"key":"k","value":"v"}]}
            """);
        await checker.CallAsync("UpdateCapacityProvider", """{"name":"big","autoScalingGroupProvider":{"managedScaling":{"targetCapacity":80}}}""");
        await checker.CallAsync("PutClusterCapacityProviders", """
            {"cluster":"insightful","capacityProviders":["big"],"defaultCapacityProviderStrategy":[{"capacityProvider":"big","weight":1,"base":1}]}
            """);
        await checker.CallAsync("DescribeCapacityProviders", """{"include":["TAGS"]}""");
        await checker.CallAsync("PutClusterCapacityProviders", """{"cluster":"insightful","capacityProviders":[],"defaultCapacityProviderStrategy":[]}""");
        await checker.CallAsync("DeleteCapacityProvider", """{"capacityProvider":"big"}""");
        await checker.CallAsync("CreateCluster", """{"clusterName":"empty"}""");
        await checker.CallAsync("DeleteCluster", """{"cluster":"empty"}""");

        Assert.Empty(checker.Problems);
        // StopServiceDeployment needs a completed rollout first: ServiceDeploymentTests checks it against the model.
        Assert.Equal(EcsActions.Names.Where(n => n != "StopServiceDeployment").Order(), checker.Called.Order());
    }

    [Fact]
    public async Task Responses_OfAnAwsvpcTaskAndAnInstanceWithEveryResource_ConformToTheModel()
    {
        using var cluster = new TestCluster(subnets: Networking.SubnetOptionsTests.Parse("subnet-a cidr=10.9.0.0/24"));
        var (instanceArn, _) = await cluster.AddInstanceAsync(r =>
        {
            r.Resources.AwsvpcTaskLimit = 4;
            r.Resources.DynamicPortFirst = 40000;
            r.Resources.DynamicPortLast = 40999;
            r.Resources.GpuIds.Add("GPU-0");
        });
        var checker = new Checker(cluster);

        await checker.CallAsync("RegisterTaskDefinition", """
            {"family":"api","networkMode":"awsvpc",
             "containerDefinitions":[{"name":"api","image":"local/busybox:1","memory":32,"portMappings":[{"containerPort":80}],
                                      "resourceRequirements":[{"type":"GPU","value":"1"}]}]}
            """);
        var run = await checker.CallAsync("RunTask", """
            {"taskDefinition":"api","networkConfiguration":{"awsvpcConfiguration":{"subnets":["subnet-a"],"assignPublicIp":"DISABLED"}}}
            """);
        var task = run.GetProperty("tasks")[0];
        var taskArn = task.GetProperty("taskArn").GetString()!;
        var running = new TaskState { TaskArn = taskArn, LastStatus = Status.Running };
        running.Containers.Add(new ContainerState { Name = "api", LastStatus = Status.Running, RuntimeId = "c0ffee" });
        running.NetworkInterfaces.Add(new NetworkInterface
        {
            AttachmentId = task.GetProperty("attachments")[0].GetProperty("id").GetString(),
            Ipv4Address = "10.9.0.2",
            MacAddress = "02:42:0a:09:00:02",
        });
        await cluster.Reports.ApplyAsync(instanceArn, new TaskStateChange { Sequence = 1, Task = running }, TestCluster.Token);

        var described = await checker.CallAsync("DescribeTasks", $$"""{"tasks":["{{taskArn}}"]}""");
        await checker.CallAsync("DescribeContainerInstances", $$"""{"containerInstances":["{{instanceArn}}"]}""");
        await checker.CallAsync("StartTask", $$"""{"taskDefinition":"api","containerInstances":["{{instanceArn}}"],"networkConfiguration":""" + """{"awsvpcConfiguration":{"subnets":["subnet-a"]}}}""");

        Assert.Empty(checker.Problems);
        var container = described.GetProperty("tasks")[0].GetProperty("containers")[0];
        Assert.Equal("10.9.0.2", container.GetProperty("networkInterfaces")[0].GetProperty("privateIpv4Address").GetString());
        Assert.Equal("GPU-0", container.GetProperty("gpuIds")[0].GetString());
    }

    /// <summary>
    /// DescribeServices, DescribeTasks and DescribeTaskDefinition, member by member against the current model's output
    /// shapes (names, types, enum values), and carrying every member ECS returns for what is implemented — what keeps
    /// Terraform's plan clean. The model's members they leave out (AWS-only features) are printed.
    /// </summary>
    [Fact]
    public async Task DescribeResponses_CarryEveryMemberEcsReturnsForWhatIsImplemented()
    {
        using var cluster = new TestCluster();
        var (instanceArn, _) = await cluster.AddInstanceAsync();
        var checker = new Checker(cluster);
        await checker.CallAsync("RegisterTaskDefinition", """{"family":"web","containerDefinitions":[{"name":"web","image":"local/busybox:1","memory":64}]}""");
        await checker.CallAsync("CreateService", """{"serviceName":"web","taskDefinition":"web","desiredCount":1}""");
        await cluster.Scheduler.ReconcileAsync(cluster.Store.Current.Services.Values.Single().Arn, TestCluster.Token);
        await cluster.ReportAllAsync(Status.Running);
        var taskArn = cluster.Store.Current.Tasks.Values.Single().Arn;

        var service = (await checker.CallAsync("DescribeServices", """{"services":["web"]}""")).GetProperty("services")[0];
        var task = (await checker.CallAsync("DescribeTasks", $$"""{"tasks":["{{taskArn}}"]}""")).GetProperty("tasks")[0];
        var definition = (await checker.CallAsync("DescribeTaskDefinition", """{"taskDefinition":"web"}""")).GetProperty("taskDefinition");

        Assert.Empty(checker.Problems);
        AssertCarries(service, "Service",
            "serviceArn serviceName clusterArn loadBalancers serviceRegistries status desiredCount runningCount pendingCount launchType " +
            "taskDefinition deploymentConfiguration deployments events createdAt currentServiceDeployment placementConstraints placementStrategy " +
            "healthCheckGracePeriodSeconds schedulingStrategy deploymentController createdBy enableECSManagedTags propagateTags " +
            "enableExecuteCommand availabilityZoneRebalancing");
        AssertCarries(service.GetProperty("deploymentConfiguration"), "DeploymentConfiguration",
            "deploymentCircuitBreaker maximumPercent minimumHealthyPercent alarms strategy");
        AssertCarries(service.GetProperty("deployments")[0], "Deployment",
            "id status taskDefinition desiredCount pendingCount runningCount failedTasks createdAt updatedAt launchType rolloutState rolloutStateReason");
        AssertCarries(task, "Task",
            "taskArn clusterArn taskDefinitionArn containerInstanceArn lastStatus desiredStatus containers overrides createdAt launchType version group " +
            "connectivity connectivityAt enableExecuteCommand");
        AssertCarries(definition, "TaskDefinition",
            "taskDefinitionArn containerDefinitions family networkMode revision status compatibilities registeredAt registeredBy enableFaultInjection");
        Assert.Equal(instanceArn, task.GetProperty("containerInstanceArn").GetString());
    }

    private static void AssertCarries(JsonElement document, string shape, string members)
    {
        var carried = document.EnumerateObject().Select(p => p.Name).ToHashSet();
        var missing = members.Split(' ').Where(m => !carried.Contains(m)).ToList();
        Assert.True(missing.Count == 0, $"{shape} lacks {string.Join(", ", missing)}");
        var leftOut = EcsModel.Instance.Members(shape).Where(m => !carried.Contains(m)).Order(StringComparer.Ordinal);
        TestContext.Current.TestOutputHelper?.WriteLine($"{shape}: not in this response (AWS-only, or not set in this state): {string.Join(", ", leftOut)}");
    }

    private sealed class Checker(TestCluster cluster)
    {
        public List<string> Problems { get; } = [];
        public HashSet<string> Called { get; } = [];

        public async Task<JsonElement> CallAsync(string action, string request)
        {
            Problems.AddRange(EcsModel.Instance.Check(EcsModel.Instance.InputShape(action), JsonDocument.Parse(request).RootElement)
                .Select(p => $"{action} request {p}"));
            var response = JsonDocument.Parse(await cluster.Actions.InvokeAsync(action, request, TestCluster.Token)).RootElement.Clone();
            if (EcsModel.Instance.OutputShape(action) is { } shape)
            {
                Problems.AddRange(EcsModel.Instance.Check(shape, response).Select(p => $"{action} response {p}"));
            }

            Called.Add(action);
            return response;
        }
    }
}

public sealed class EcsModelTests
{
    [Fact]
    public void Check_NonConformingTask_ReportsEveryProblem()
    {
        var document = JsonDocument.Parse("""
            {"tasks":[{"taskArn":"a","lastStatus":1,"launchType":"SPACESHIP","colour":"red","containers":[{"exitCode":"zero"}]}],
             "failures":[{"reason":"MISSING"}]}
            """).RootElement;

        var problems = EcsModel.Instance.Check("DescribeTasksResponse", document);

        Assert.Contains("$.tasks[0].lastStatus: expected a string (String), got Number", problems);
        Assert.Contains("$.tasks[0].launchType: 'SPACESHIP' is not a value of LaunchType", problems);
        Assert.Contains("$.tasks[0].colour: not a member of Task", problems);
        Assert.Contains(problems, p => p.StartsWith("$.tasks[0].containers[0].exitCode: expected an integer", StringComparison.Ordinal));
        Assert.Equal(4, problems.Count);
    }
}
