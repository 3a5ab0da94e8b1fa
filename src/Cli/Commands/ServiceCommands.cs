using System.CommandLine;
using Orchestrator.Cli.Output;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Cli.Commands;

/// <summary><c>orch service create|update|delete|list|describe|events</c>: long-running services.</summary>
internal static class ServiceCommands
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(10);

    public static Command Create(CommandRunner runner)
    {
        var command = new Command("service", "Create, update, delete and inspect services");
        command.Subcommands.Add(CreateCommand(runner));
        command.Subcommands.Add(UpdateCommand(runner));
        command.Subcommands.Add(DeleteCommand(runner));
        command.Subcommands.Add(ListCommand(runner));
        command.Subcommands.Add(DescribeCommand(runner));
        command.Subcommands.Add(EventsCommand(runner));
        command.Subcommands.Add(EndpointsCommand(runner));
        command.Subcommands.Add(AutoScaleCommands.Create(runner));
        return command;
    }

    private static Command CreateCommand(CommandRunner runner)
    {
        var cluster = ClusterOption.Create();
        var name = new Argument<string>("name") { Description = "The service's name" };
        var definition = new Option<string>("--task-definition", "-t") { Description = "FAMILY, FAMILY:REVISION or an ARN", Required = true };
        var desired = new Option<int?>("--desired-count", "-n") { Description = "How many tasks to keep running (REPLICA)" };
        var daemon = new Option<bool>("--daemon") { Description = "One task on every container instance (DAEMON) instead of a count" };
        var settings = new DeploymentOptions();
        var wait = new Option<bool>("--wait") { Description = "Wait until the service is stable" };
        var timeout = DurationOption.Create("--timeout", $"How long --wait waits [default: {Duration.Format(DefaultTimeout)}]");
        var placement = new PlacementOptions();
        var enableExec = new Option<bool>("--enable-execute-command") { Description = "Allow orch task exec in the service's tasks (enableExecuteCommand)" };
        var registry = ServiceRegistryOption.Create();
        var balancer = LoadBalancerOption.Create();
        var command = new Command("create", "Create a service (CreateService)") { name, cluster, definition, desired, daemon, wait, timeout, enableExec, registry, balancer };
        settings.AddTo(command);
        placement.AddTo(command);
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var request = new CreateServiceRequest
            {
                Cluster = invocation.Get(cluster),
                ServiceName = invocation.Get(name),
                TaskDefinition = invocation.Get(definition),
                DesiredCount = invocation.GetOptional(desired) ?? (invocation.Get(daemon) ? null : 1),
                EnableExecuteCommand = invocation.Get(enableExec) ? true : null,
                ServiceRegistries = ServiceRegistryOption.Read(invocation, registry),
                LoadBalancers = LoadBalancerOption.Read(invocation, balancer),
                SchedulingStrategy = invocation.Get(daemon) ? SchedulingStrategies.Daemon : SchedulingStrategies.Replica,
                DeploymentConfiguration = settings.Read(invocation),
                HealthCheckGracePeriodSeconds = settings.GracePeriod(invocation),
                PlacementConstraints = placement.ReadConstraints(invocation),
                PlacementStrategy = placement.ReadStrategies(invocation),
            };
            var response = await invocation.Client.CallAsync<ServiceResponse>("CreateService", request, cancellationToken);
            return await FinishAsync(invocation, request.Cluster, response.Service, invocation.Get(wait), untilInactive: false, invocation.GetOptional(timeout), cancellationToken);
        });
        return command;
    }

    private static Command UpdateCommand(CommandRunner runner)
    {
        var cluster = ClusterOption.Create();
        var name = new Argument<string>("name") { Description = "The service's name or ARN" };
        var definition = new Option<string>("--task-definition", "-t") { Description = "Roll out this task definition" };
        var desired = new Option<int?>("--desired-count", "-n") { Description = "Scale to this many tasks" };
        var force = new Option<bool>("--force-new-deployment") { Description = "Replace every task even if nothing changed" };
        var settings = new DeploymentOptions();
        var wait = new Option<bool>("--wait") { Description = "Wait until the rollout completes (exit 1 if it fails)" };
        var timeout = DurationOption.Create("--timeout", $"How long --wait waits [default: {Duration.Format(DefaultTimeout)}]");
        var command = new Command("update", "Change a service: scale it or roll out a new task definition (UpdateService)")
        {
            name, cluster, definition, desired, force, wait, timeout,
        };
        var registry = ServiceRegistryOption.Create();
        var noRegistry = new Option<bool>("--remove-service-registry") { Description = "Stop registering the service's tasks (serviceRegistries [])" };
        command.Options.Add(registry);
        command.Options.Add(noRegistry);
        var balancer = LoadBalancerOption.Create();
        var noBalancer = new Option<bool>("--remove-load-balancers") { Description = "Take the service's tasks out of every target group (loadBalancers [])" };
        command.Options.Add(balancer);
        command.Options.Add(noBalancer);
        settings.AddTo(command);
        var placement = new PlacementOptions();
        placement.AddTo(command);
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var request = new UpdateServiceRequest
            {
                Cluster = invocation.Get(cluster),
                Service = invocation.Get(name),
                TaskDefinition = invocation.GetOptional(definition),
                DesiredCount = invocation.GetOptional(desired),
                ForceNewDeployment = invocation.Get(force) ? true : null,
                ServiceRegistries = invocation.Get(noRegistry) ? [] : ServiceRegistryOption.Read(invocation, registry),
                LoadBalancers = invocation.Get(noBalancer) ? [] : LoadBalancerOption.Read(invocation, balancer),
                DeploymentConfiguration = settings.Read(invocation),
                HealthCheckGracePeriodSeconds = settings.GracePeriod(invocation),
                PlacementConstraints = placement.ReadConstraints(invocation),
                PlacementStrategy = placement.ReadStrategies(invocation),
            };
            var response = await invocation.Client.CallAsync<ServiceResponse>("UpdateService", request, cancellationToken);
            return await FinishAsync(invocation, request.Cluster, response.Service, invocation.Get(wait), untilInactive: false, invocation.GetOptional(timeout), cancellationToken);
        });
        return command;
    }

    private static Command DeleteCommand(CommandRunner runner)
    {
        var cluster = ClusterOption.Create();
        var name = new Argument<string>("name") { Description = "The service's name or ARN" };
        var force = new Option<bool>("--force") { Description = "Delete even if it still runs tasks (they are stopped)" };
        var wait = new Option<bool>("--wait") { Description = "Wait until every task has stopped and the service is INACTIVE" };
        var timeout = DurationOption.Create("--timeout", $"How long --wait waits [default: {Duration.Format(DefaultTimeout)}]");
        var command = new Command("delete", "Delete a service (DeleteService)") { name, cluster, force, wait, timeout };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var request = new DeleteServiceRequest { Cluster = invocation.Get(cluster), Service = invocation.Get(name), Force = invocation.Get(force) ? true : null };
            var response = await invocation.Client.CallAsync<ServiceResponse>("DeleteService", request, cancellationToken);
            return await FinishAsync(invocation, request.Cluster, response.Service, invocation.Get(wait), untilInactive: true, invocation.GetOptional(timeout), cancellationToken);
        });
        return command;
    }

    private static Command ListCommand(CommandRunner runner)
    {
        var cluster = ClusterOption.Create();
        var command = new Command("list", "List a cluster's services (ListServices, DescribeServices)") { cluster };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var clusterName = invocation.Get(cluster);
            var arns = await Paging.ListAllAsync(async (nextToken, ct) =>
            {
                var page = await invocation.Client.CallAsync<ListServicesResponse>("ListServices", new ListServicesRequest { Cluster = clusterName, NextToken = nextToken }, ct);
                return (page.ServiceArns, page.NextToken);
            }, cancellationToken);
            var response = await DescribeAsync(invocation.Client, clusterName, arns, cancellationToken);
            if (invocation.Output.IsJson)
            {
                invocation.Output.Json(response);
            }
            else if (response.Services.Count == 0)
            {
                invocation.Output.Line($"No services in cluster {clusterName}.");
            }
            else
            {
                ServiceView.Table(invocation.Output, response.Services);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command DescribeCommand(CommandRunner runner)
    {
        var cluster = ClusterOption.Create();
        var names = new Argument<string[]>("name") { Description = "Service names or ARNs", Arity = ArgumentArity.OneOrMore };
        var command = new Command("describe", "Show services with their deployments and latest events (DescribeServices)") { names, cluster };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var response = await DescribeAsync(invocation.Client, invocation.Get(cluster), invocation.Get(names), cancellationToken);
            if (invocation.Output.IsJson)
            {
                invocation.Output.Json(response);
            }
            else
            {
                for (var i = 0; i < response.Services.Count; i++)
                {
                    if (i > 0)
                    {
                        invocation.Output.Line();
                    }

                    ServiceView.Detail(invocation.Output, response.Services[i]);
                }

                FailureView.Write(invocation.Output, response.Failures);
            }

            return response.Failures.Count == 0 ? ExitCodes.Success : ExitCodes.Failure;
        });
        return command;
    }

    private static Command EventsCommand(CommandRunner runner)
    {
        var cluster = ClusterOption.Create();
        var name = new Argument<string>("name") { Description = "The service's name or ARN" };
        var limit = new Option<int>("--limit") { Description = "How many of the newest events", DefaultValueFactory = _ => 20 };
        var command = new Command("events", "Show a service's events, newest first") { name, cluster, limit };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var response = await DescribeAsync(invocation.Client, invocation.Get(cluster), [invocation.Get(name)], cancellationToken);
            if (response.Services.Count == 0)
            {
                FailureView.Write(invocation.Output, response.Failures);
                return ExitCodes.Failure;
            }

            var events = response.Services[0].Events.Take(invocation.Get(limit)).ToList();
            if (invocation.Output.IsJson)
            {
                invocation.Output.Json(events);
            }
            else
            {
                ServiceView.Events(invocation.Output, events);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command EndpointsCommand(CommandRunner runner)
    {
        var cluster = ClusterOption.Create();
        var name = new Argument<string>("name") { Description = "The service's name or its registry's name" };
        var command = new Command("endpoints", "Show where a service's tasks are found (service discovery: DNS name, addresses and ports)") { name, cluster };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var json = await invocation.Client.ServiceEndpointsAsync(invocation.Get(cluster), invocation.Get(name), cancellationToken);
            using var document = System.Text.Json.JsonDocument.Parse(json);
            if (invocation.Output.IsJson)
            {
                invocation.Output.Json(document.RootElement);
                return ExitCodes.Success;
            }

            var root = document.RootElement;
            invocation.Output.Line($"{root.GetProperty("dnsName").GetString()} (A and SRV, TTL {root.GetProperty("ttl").GetUInt32()} s)");
            foreach (var endpoint in root.GetProperty("endpoints").EnumerateArray())
            {
                var task = endpoint.GetProperty("taskArn").GetString() ?? "";
                var port = endpoint.GetProperty("port").GetInt32();
                var health = endpoint.TryGetProperty("healthStatus", out var h) && h.ValueKind == System.Text.Json.JsonValueKind.String ? h.GetString() : "";
                invocation.Output.Line($"  {task[(task.LastIndexOf('/') + 1)..]}  {endpoint.GetProperty("address").GetString()}{(port > 0 ? $":{port}" : "")}  {health}");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static async Task<int> FinishAsync(
        Invocation invocation, string? cluster, Service service, bool wait, bool untilInactive, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        if (!wait)
        {
            Print(invocation.Output, service);
            return ExitCodes.Success;
        }

        var (done, current) = await ServiceWaiter.WaitAsync(
            invocation, cluster ?? ClusterOption.Default, service.ServiceName, untilInactive, timeout ?? DefaultTimeout, cancellationToken);
        Print(invocation.Output, current ?? service);
        return done ? ExitCodes.Success : ExitCodes.Failure;
    }

    private static void Print(CommandOutput output, Service service)
    {
        if (output.IsJson)
        {
            output.Json(new ServiceResponse(service));
        }
        else
        {
            ServiceView.Detail(output, service, events: 3);
        }
    }

    private static async Task<DescribeServicesResponse> DescribeAsync(EcsClient client, string cluster, IReadOnlyList<string> services, CancellationToken cancellationToken)
    {
        var responses = new List<DescribeServicesResponse>();
        foreach (var chunk in services.Chunk(10))
        {
            responses.Add(await client.CallAsync<DescribeServicesResponse>(
                "DescribeServices", new DescribeServicesRequest { Cluster = cluster, Services = chunk }, cancellationToken));
        }

        return new DescribeServicesResponse([.. responses.SelectMany(r => r.Services)], [.. responses.SelectMany(r => r.Failures)]);
    }
}
