using System.Text.Json;
using Orchestrator.Lab;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>
/// Terraform and the hashicorp/aws provider, unchanged, manage a cluster, a task definition and a service on the
/// control plane's ECS API: apply (waiting for a steady state), a change of task definition applied, a plan with
/// nothing to do, destroy. The service's task answers on its port before and after the change.
/// </summary>
public sealed class TerraformTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact(Timeout = 900_000)]
    public async Task Terraform_ClusterTaskDefinitionAndService_ApplyChangePlanCleanDestroy()
    {
        TestContext.Current.CancellationToken.ThrowIfCancellationRequested();
        var (program, mirror, missing) = Terraform.Find();
        Assert.SkipWhen(missing is not null, $"Terraform scenario skipped: {missing}.");
        var output = TestContext.Current.TestOutputHelper;

        await using var cluster = new LocalCluster();
        await cluster.StartControlPlaneAsync();
        var aws = new AwsCli($"http://127.0.0.1:{cluster.HttpPort}", LocalCluster.AccessKeyId, LocalCluster.SecretAccessKey);
        var directory = Directory.CreateTempSubdirectory("orch-terraform-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(directory, "main.tf"), Configuration(Terraform.ProviderVersion(mirror!), cluster.HttpPort, cluster.ClusterName), Token);
            var terraform = Terraform.In(program!, mirror!, directory, AwsCli.KeysOnly(LocalCluster.AccessKeyId, LocalCluster.SecretAccessKey));
            Task<CommandResult> Run(params string[] arguments) => terraform.RunLoggedAsync(output, arguments);

            (await Run("init", "-no-color")).EnsureSuccess();

            // The cluster first (Terraform creates it; the host joins it), then the service on the host.
            (await Run("apply", "-no-color", "-auto-approve", "-var", "with_service=false", "-var", "greeting=first")).EnsureSuccess();
            await cluster.StartAgentAsync();
            await cluster.WaitForConnectedInstanceAsync();

            (await Run("apply", "-no-color", "-auto-approve", "-var", "greeting=first")).EnsureSuccess();
            await AssertServedAsync(aws, cluster, "first");
            var plan = await Run("plan", "-no-color", "-detailed-exitcode", "-var", "greeting=first");
            Assert.True(plan.ExitCode == 0, $"terraform plan after apply is not clean (exit {plan.ExitCode}):\n{plan.Stdout}\n{plan.Stderr}");

            (await Run("apply", "-no-color", "-auto-approve", "-var", "greeting=second")).EnsureSuccess();
            var service = (await aws.JsonAsync("ecs", "describe-services", "--cluster", cluster.ClusterName, "--services", "web")).GetProperty("services")[0];
            Assert.EndsWith(":2", service.GetProperty("taskDefinition").GetString(), StringComparison.Ordinal);
            await AssertServedAsync(aws, cluster, "second");
            plan = await Run("plan", "-no-color", "-detailed-exitcode", "-var", "greeting=second");
            Assert.True(plan.ExitCode == 0, $"terraform plan after the change is not clean (exit {plan.ExitCode}):\n{plan.Stdout}\n{plan.Stderr}");

            // The service and its task definition go first, with the host still there to stop the tasks; a cluster
            // with a registered host cannot be deleted (in ECS too), so the host leaves before the cluster goes.
            (await Run("destroy", "-no-color", "-auto-approve", "-var", "greeting=second",
                "-target", "aws_ecs_service.web", "-target", "aws_ecs_task_definition.web")).EnsureSuccess();
            var gone = (await aws.JsonAsync("ecs", "describe-services", "--cluster", cluster.ClusterName, "--services", "web")).GetProperty("services")[0];
            Assert.Equal("INACTIVE", gone.GetProperty("status").GetString());
            Assert.Empty((await aws.JsonAsync("ecs", "list-tasks", "--cluster", cluster.ClusterName)).GetProperty("taskArns").EnumerateArray());

            await cluster.Agent!.StopAsync(TimeSpan.FromSeconds(30));
            var instance = (await aws.JsonAsync("ecs", "list-container-instances", "--cluster", cluster.ClusterName)).GetProperty("containerInstanceArns")[0].GetString()!;
            (await aws.RunAsync("ecs", "deregister-container-instance", "--cluster", cluster.ClusterName, "--container-instance", instance, "--force")).EnsureSuccess();
            (await Run("destroy", "-no-color", "-auto-approve", "-var", "greeting=second")).EnsureSuccess();
            var clusters = await aws.JsonAsync("ecs", "describe-clusters", "--clusters", cluster.ClusterName);
            Assert.Equal("INACTIVE", clusters.GetProperty("clusters")[0].GetProperty("status").GetString());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The service's one running task serves the greeting on the host port Docker gave it.</summary>
    private static async Task AssertServedAsync(AwsCli aws, LocalCluster cluster, string greeting)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.Async(async () =>
        {
            var arns = (await aws.JsonAsync("ecs", "list-tasks", "--cluster", cluster.ClusterName, "--service-name", "web", "--desired-status", "RUNNING"))
                .GetProperty("taskArns").EnumerateArray().Select(a => a.GetString()!).ToArray();
            Assert.NotEmpty(arns);
            var tasks = (await aws.JsonAsync(["ecs", "describe-tasks", "--cluster", cluster.ClusterName, "--tasks", .. arns])).GetProperty("tasks").EnumerateArray().ToList();
            var pages = new List<string>();
            foreach (var task in tasks.Where(t => t.GetProperty("lastStatus").GetString() == "RUNNING"))
            {
                var port = task.GetProperty("containers")[0].GetProperty("networkBindings")[0].GetProperty("hostPort").GetInt32();
                pages.Add(await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/"), Token));
            }

            Assert.Equal([$"<h1>Hello from {greeting}</h1>\n"], pages);
        }, TimeSpan.FromSeconds(90), cluster.Diagnostics, TimeSpan.FromSeconds(1));
    }


    private static string Configuration(string providerVersion, int httpPort, string clusterName) => $$"""
        terraform {
          required_providers {
            aws = {
              source  = "hashicorp/aws"
              version = "{{providerVersion}}"
            }
          }
        }

        provider "aws" {
          region                      = "us-east-1"
          skip_credentials_validation = true
          skip_requesting_account_id  = true
          skip_metadata_api_check     = true
          skip_region_validation      = true
          endpoints {
            ecs = "http://127.0.0.1:{{httpPort}}"
          }
        }

        variable "greeting" {
          type    = string
          default = "terraform"
        }

        variable "with_service" {
          type    = bool
          default = true
        }

        resource "aws_ecs_cluster" "main" {
          name = "{{clusterName}}"
        }

        resource "aws_ecs_task_definition" "web" {
          family       = "tf-web"
          network_mode = "bridge"
          container_definitions = jsonencode([{
            name         = "web"
            image        = "local/busybox:1"
            memory       = 64
            essential    = true
            entryPoint   = ["/bin/sh", "-c"]
            command      = ["mkdir -p /www && echo \"<h1>Hello from $GREETING</h1>\" > /www/index.html && exec httpd -f -p 80 -h /www"]
            environment  = [{ name = "GREETING", value = var.greeting }]
            portMappings = [{ containerPort = 80, hostPort = 0, protocol = "tcp" }]
            stopTimeout  = 5
          }])
        }

        resource "aws_ecs_service" "web" {
          count                 = var.with_service ? 1 : 0
          name                  = "web"
          cluster               = aws_ecs_cluster.main.id
          task_definition       = aws_ecs_task_definition.web.arn
          desired_count         = 1
          wait_for_steady_state = true

          deployment_minimum_healthy_percent = 0
          deployment_maximum_percent         = 100
        }
        """;
}
