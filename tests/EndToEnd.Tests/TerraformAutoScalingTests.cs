using Orchestrator.Lab;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>
/// Terraform's hashicorp/aws provider, unchanged, manages a service's auto scaling on the control plane's Application
/// Auto Scaling API: aws_appautoscaling_target, a target tracking aws_appautoscaling_policy and an
/// aws_appautoscaling_scheduled_action are applied (then planned clean), changed and destroyed. No agent is needed: the
/// service has no task to run.
/// </summary>
public sealed class TerraformAutoScalingTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact(Timeout = 600_000)]
    public async Task Terraform_AppAutoScalingTargetPolicyAndScheduledAction_ApplyChangePlanCleanDestroy()
    {
        TestContext.Current.CancellationToken.ThrowIfCancellationRequested();
        var (program, mirror, missing) = Terraform.Find();
        Assert.SkipWhen(missing is not null, $"Terraform scenario skipped: {missing}.");
        var output = TestContext.Current.TestOutputHelper;

        await using var cluster = new LocalCluster();
        await cluster.StartControlPlaneAsync();
        var aws = new AwsCli($"http://127.0.0.1:{cluster.HttpPort}", LocalCluster.AccessKeyId, LocalCluster.SecretAccessKey);
        (await aws.RunAsync("ecs", "create-cluster", "--cluster-name", cluster.ClusterName)).EnsureSuccess();
        (await aws.RunAsync("ecs", "register-task-definition", "--family", "tf-scaled", "--container-definitions",
            """[{"name":"app","image":"local/busybox:1","cpu":64,"memory":32,"command":["sleep","3600"]}]""")).EnsureSuccess();
        (await aws.RunAsync("ecs", "create-service", "--cluster", cluster.ClusterName, "--service-name", "web", "--task-definition", "tf-scaled", "--desired-count", "0")).EnsureSuccess();
        var resource = $"service/{cluster.ClusterName}/web";
        var directory = Directory.CreateTempSubdirectory("orch-terraform-aas-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(directory, "main.tf"), Configuration(Terraform.ProviderVersion(mirror!), cluster.HttpPort, resource), Token);
            var terraform = Terraform.In(program!, mirror!, directory, AwsCli.KeysOnly(LocalCluster.AccessKeyId, LocalCluster.SecretAccessKey));
            Task<CommandResult> Run(params string[] arguments) => terraform.RunLoggedAsync(output, arguments);

            (await Run("init", "-no-color")).EnsureSuccess();
            (await Run("apply", "-no-color", "-auto-approve", "-var", "max=4", "-var", "target=50")).EnsureSuccess();

            var target = (await aws.JsonAsync("application-autoscaling", "describe-scalable-targets", "--service-namespace", "ecs", "--resource-ids", resource))
                .GetProperty("ScalableTargets")[0];
            Assert.Equal((0, 4), (target.GetProperty("MinCapacity").GetInt32(), target.GetProperty("MaxCapacity").GetInt32()));
            var policy = (await aws.JsonAsync("application-autoscaling", "describe-scaling-policies", "--service-namespace", "ecs", "--resource-id", resource))
                .GetProperty("ScalingPolicies")[0];
            Assert.Equal(50, policy.GetProperty("TargetTrackingScalingPolicyConfiguration").GetProperty("TargetValue").GetDouble());
            var action = (await aws.JsonAsync("application-autoscaling", "describe-scheduled-actions", "--service-namespace", "ecs", "--resource-id", resource))
                .GetProperty("ScheduledActions")[0];
            Assert.Equal("cron(0 20 * * ? *)", action.GetProperty("Schedule").GetString());

            var plan = await Run("plan", "-no-color", "-detailed-exitcode", "-var", "max=4", "-var", "target=50");
            Assert.True(plan.ExitCode == 0, $"terraform plan after apply is not clean (exit {plan.ExitCode}):\n{plan.Stdout}\n{plan.Stderr}");

            (await Run("apply", "-no-color", "-auto-approve", "-var", "max=6", "-var", "target=70")).EnsureSuccess();
            target = (await aws.JsonAsync("application-autoscaling", "describe-scalable-targets", "--service-namespace", "ecs")).GetProperty("ScalableTargets")[0];
            Assert.Equal(6, target.GetProperty("MaxCapacity").GetInt32());
            policy = (await aws.JsonAsync("application-autoscaling", "describe-scaling-policies", "--service-namespace", "ecs")).GetProperty("ScalingPolicies")[0];
            Assert.Equal(70, policy.GetProperty("TargetTrackingScalingPolicyConfiguration").GetProperty("TargetValue").GetDouble());

            (await Run("destroy", "-no-color", "-auto-approve", "-var", "max=6", "-var", "target=70")).EnsureSuccess();
            Assert.Empty((await aws.JsonAsync("application-autoscaling", "describe-scalable-targets", "--service-namespace", "ecs")).GetProperty("ScalableTargets").EnumerateArray());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }


    private static string Configuration(string providerVersion, int httpPort, string resource) => $$"""
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
            ecs                    = "http://127.0.0.1:{{httpPort}}"
            applicationautoscaling = "http://127.0.0.1:{{httpPort}}"
          }
        }

        variable "max" {
          type = number
        }

        variable "target" {
          type = number
        }

        resource "aws_appautoscaling_target" "web" {
          service_namespace  = "ecs"
          resource_id        = "{{resource}}"
          scalable_dimension = "ecs:service:DesiredCount"
          min_capacity       = 0
          max_capacity       = var.max
        }

        resource "aws_appautoscaling_policy" "cpu" {
          name               = "cpu-target"
          policy_type        = "TargetTrackingScaling"
          service_namespace  = aws_appautoscaling_target.web.service_namespace
          resource_id        = aws_appautoscaling_target.web.resource_id
          scalable_dimension = aws_appautoscaling_target.web.scalable_dimension

          target_tracking_scaling_policy_configuration {
            target_value       = var.target
            scale_in_cooldown  = 120
            scale_out_cooldown = 60
            predefined_metric_specification {
              predefined_metric_type = "ECSServiceAverageCPUUtilization"
            }
          }
        }

        resource "aws_appautoscaling_scheduled_action" "night" {
          name               = "night"
          service_namespace  = aws_appautoscaling_target.web.service_namespace
          resource_id        = aws_appautoscaling_target.web.resource_id
          scalable_dimension = aws_appautoscaling_target.web.scalable_dimension
          schedule           = "cron(0 20 * * ? *)"

          scalable_target_action {
            min_capacity = 0
            max_capacity = 1
          }
        }
        """;
}
