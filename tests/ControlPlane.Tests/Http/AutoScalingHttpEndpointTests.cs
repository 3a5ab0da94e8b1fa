using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Orchestrator.ControlPlane.Http;

namespace Orchestrator.ControlPlane.Tests.Http;

/// <summary>
/// Application Auto Scaling's JSON 1.1 API on the control plane's HTTP port, signed as botocore signs for
/// <c>application-autoscaling</c>; every malformed or unsupported request is a ValidationException (400), never a 500.
/// </summary>
public sealed class AutoScalingHttpEndpointTests : IAsyncLifetime
{
    private EcsHttpTestHost? _host;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _host = await EcsHttpTestHost.StartAsync(Token);
        await EcsAsync("CreateCluster", """{"clusterName": "default"}""");
        await EcsAsync("RegisterTaskDefinition", """{"family": "web", "containerDefinitions": [{"name": "web", "image": "nginx", "memory": 64, "cpu": 128}]}""");
        await EcsAsync("CreateService", """{"serviceName": "web", "taskDefinition": "web", "desiredCount": 1}""");
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    private const string Key = "\"ServiceNamespace\": \"ecs\", \"ResourceId\": \"service/default/web\", \"ScalableDimension\": \"ecs:service:DesiredCount\"";

    [Fact]
    public async Task SignedCalls_RegisterPutDescribeDelete()
    {
        var registered = await OkAsync("RegisterScalableTarget", $$"""{{{Key}}, "MinCapacity": 1, "MaxCapacity": 3}""");
        Assert.StartsWith("arn:aws:application-autoscaling:eu-west-1:000000000000:scalable-target/", registered.GetProperty("ScalableTargetARN").GetString(), StringComparison.Ordinal);

        var put = await OkAsync("PutScalingPolicy", $$$"""
            {{{{Key}}}, "PolicyName": "cpu50", "PolicyType": "TargetTrackingScaling",
             "TargetTrackingScalingPolicyConfiguration": {"TargetValue": 50.0, "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"}, "ScaleOutCooldown": 60}}
            """);
        Assert.Contains(":scalingPolicy:", put.GetProperty("PolicyARN").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Array, put.GetProperty("Alarms").ValueKind);

        await OkAsync("PutScalingPolicy", $$$"""
            {{{{Key}}}, "PolicyName": "steps", "PolicyType": "StepScaling",
             "StepScalingPolicyConfiguration": {"AdjustmentType": "ChangeInCapacity", "Cooldown": 60,
               "StepAdjustments": [{"MetricIntervalUpperBound": 20, "ScalingAdjustment": -1}, {"MetricIntervalLowerBound": 20, "ScalingAdjustment": 1}]}}
            """);
        await OkAsync("PutScheduledAction", $$$"""{{{{Key}}}, "ScheduledActionName": "night", "Schedule": "cron(0 20 * * ? *)", "ScalableTargetAction": {"MaxCapacity": 1}}""");

        var target = (await OkAsync("DescribeScalableTargets", """{"ServiceNamespace": "ecs"}""")).GetProperty("ScalableTargets")[0];
        Assert.Equal((1, 3), (target.GetProperty("MinCapacity").GetInt32(), target.GetProperty("MaxCapacity").GetInt32()));
        Assert.Equal(JsonValueKind.Number, target.GetProperty("CreationTime").ValueKind);

        var policies = (await OkAsync("DescribeScalingPolicies", $$"""{"ServiceNamespace": "ecs", "ResourceId": "service/default/web"}""")).GetProperty("ScalingPolicies");
        Assert.Equal(["cpu50", "steps"], policies.EnumerateArray().Select(p => p.GetProperty("PolicyName").GetString()).Order());
        var cpu = policies.EnumerateArray().Single(p => p.GetProperty("PolicyName").GetString() == "cpu50").GetProperty("TargetTrackingScalingPolicyConfiguration");
        Assert.Equal(300, cpu.GetProperty("ScaleInCooldown").GetInt32()); // ECS's default
        Assert.False(cpu.GetProperty("DisableScaleIn").GetBoolean());

        var page = await OkAsync("DescribeScalingPolicies", """{"ServiceNamespace": "ecs", "MaxResults": 1}""");
        Assert.Single(page.GetProperty("ScalingPolicies").EnumerateArray());
        var next = await OkAsync("DescribeScalingPolicies", $$"""{"ServiceNamespace": "ecs", "MaxResults": 1, "NextToken": "{{page.GetProperty("NextToken").GetString()}}"}""");
        Assert.Single(next.GetProperty("ScalingPolicies").EnumerateArray());

        var actions = (await OkAsync("DescribeScheduledActions", """{"ServiceNamespace": "ecs"}""")).GetProperty("ScheduledActions");
        Assert.Equal("cron(0 20 * * ? *)", actions[0].GetProperty("Schedule").GetString());
        Assert.Empty((await OkAsync("DescribeScalingActivities", """{"ServiceNamespace": "ecs"}""")).GetProperty("ScalingActivities").EnumerateArray());

        var tags = await OkAsync("ListTagsForResource", $$"""{"ResourceARN": "{{registered.GetProperty("ScalableTargetARN").GetString()}}"}""");
        Assert.Empty(tags.GetProperty("Tags").EnumerateObject());

        await OkAsync("DeleteScalingPolicy", $$"""{{{Key}}, "PolicyName": "steps"}""");
        await OkAsync("DeleteScheduledAction", $$"""{{{Key}}, "ScheduledActionName": "night"}""");
        await OkAsync("DeregisterScalableTarget", $$"""{{{Key}}}""");
        Assert.Empty((await OkAsync("DescribeScalableTargets", """{"ServiceNamespace": "ecs"}""")).GetProperty("ScalableTargets").EnumerateArray());
        await ErrorAsync("DeleteScalingPolicy", $$"""{{{Key}}, "PolicyName": "cpu50"}""", "ObjectNotFoundException", "No scalable target registered");
    }

    [Theory]
    [InlineData("RegisterScalableTarget", "{\"ServiceNamespace\": ", "not valid JSON")] // "…of the expected shape" too
    [InlineData("RegisterScalableTarget", "[1]", "not valid JSON of the expected shape")]
    [InlineData("RegisterScalableTarget", "{\"Surprise\": 1}", "unknown member 'Surprise'")]
    [InlineData("RegisterScalableTarget", "{\"ServiceNamespace\": \"ecs\", \"MinCapacity\": \"one\"}", "not valid JSON of the expected shape")]
    [InlineData("RegisterScalableTarget", "{\"ServiceNamespace\": \"dynamodb\", \"ResourceId\": \"table/t\", \"ScalableDimension\": \"dynamodb:table:ReadCapacityUnits\"}", "scales ECS services only")]
    [InlineData("RegisterScalableTarget", "{\"ServiceNamespace\": \"ecs\", \"ResourceId\": \"service/default/web\", \"ScalableDimension\": \"ecs:service:CPU\", \"MinCapacity\": 1, \"MaxCapacity\": 2}", "only ecs:service:DesiredCount")]
    [InlineData("RegisterScalableTarget", "{\"ServiceNamespace\": \"ecs\", \"ResourceId\": \"cluster/default\", \"ScalableDimension\": \"ecs:service:DesiredCount\"}", "service/CLUSTER/SERVICE")]
    [InlineData("RegisterScalableTarget", "{\"ServiceNamespace\": \"ecs\", \"ResourceId\": \"service/default/nope\", \"ScalableDimension\": \"ecs:service:DesiredCount\", \"MinCapacity\": 1, \"MaxCapacity\": 2}", "ECS service doesn't exist: service/default/nope")]
    [InlineData("RegisterScalableTarget", "{" + Key + ", \"MinCapacity\": 5, \"MaxCapacity\": 2}", "cannot be greater than maximum capacity")]
    [InlineData("RegisterScalableTarget", "{" + Key + ", \"MinCapacity\": -1, \"MaxCapacity\": 2}", "MinCapacity must be between 0 and 5000")]
    [InlineData("RegisterScalableTarget", "{" + Key + "}", "MinCapacity and MaxCapacity are required")]
    [InlineData("PutScalingPolicy", "{" + Key + ", \"PolicyName\": \"p\", \"PolicyType\": \"TargetTrackingScaling\", \"TargetTrackingScalingPolicyConfiguration\": {\"TargetValue\": 100, \"PredefinedMetricSpecification\": {\"PredefinedMetricType\": \"ALBRequestCountPerTarget\", \"ResourceLabel\": \"app/x/y/targetgroup/z/w\"}}}", "target group z")]
    [InlineData("PutScalingPolicy", "{" + Key + ", \"PolicyName\": \"p\", \"PolicyType\": \"TargetTrackingScaling\", \"TargetTrackingScalingPolicyConfiguration\": {\"TargetValue\": -5, \"PredefinedMetricSpecification\": {\"PredefinedMetricType\": \"ECSServiceAverageCPUUtilization\"}}}", "TargetValue is required and must be a positive number")]
    [InlineData("PutScalingPolicy", "{" + Key + ", \"PolicyName\": \"p\", \"PolicyType\": \"TargetTrackingScaling\", \"TargetTrackingScalingPolicyConfiguration\": {\"TargetValue\": 50, \"PredefinedMetricSpecification\": {\"PredefinedMetricType\": \"ECSServiceAverageCPUUtilization\"}, \"ScaleInCooldown\": -1}}", "must be between 0 and 86400")]
    [InlineData("PutScalingPolicy", "{" + Key + ", \"PolicyName\": \"p\", \"PolicyType\": \"TargetTrackingScaling\", \"TargetTrackingScalingPolicyConfiguration\": {\"TargetValue\": 50, \"CustomizedMetricSpecification\": {\"MetricName\": \"x\"}}}", "CustomizedMetricSpecification is not supported")]
    [InlineData("PutScalingPolicy", "{" + Key + ", \"PolicyName\": \"p\", \"PolicyType\": \"StepScaling\", \"StepScalingPolicyConfiguration\": {\"AdjustmentType\": \"ChangeInCapacity\", \"StepAdjustments\": [{\"MetricIntervalUpperBound\": 20, \"ScalingAdjustment\": -1}, {\"MetricIntervalLowerBound\": 30, \"ScalingAdjustment\": 1}]}}", "must not overlap or leave gaps")]
    [InlineData("PutScalingPolicy", "{" + Key + ", \"PolicyName\": \"p\", \"PolicyType\": \"StepScaling\", \"StepScalingPolicyConfiguration\": {\"AdjustmentType\": \"Lots\", \"StepAdjustments\": [{\"ScalingAdjustment\": 1}]}}", "AdjustmentType must be")]
    [InlineData("PutScalingPolicy", "{" + Key + ", \"PolicyName\": \"p\", \"PolicyType\": \"PredictiveScaling\"}", "PredictiveScaling is not supported")]
    [InlineData("PutScalingPolicy", "{" + Key + ", \"PolicyName\": \"p\", \"PolicyType\": \"StepScaling\", \"StepScalingPolicyConfiguration\": {\"AdjustmentType\": \"ChangeInCapacity\", \"StepAdjustments\": [{\"ScalingAdjustment\": 2147483647}]}}", "ScalingAdjustment must be between")]
    [InlineData("PutScalingPolicy", "{" + Key + ", \"PolicyName\": \"p\", \"PolicyType\": \"StepScaling\", \"StepScalingPolicyConfiguration\": {\"AdjustmentType\": \"ChangeInCapacity\", \"StepAdjustments\": [null]}}", "needs a ScalingAdjustment")]
    [InlineData("TagResource", "{\"ResourceARN\": \"arn:aws:application-autoscaling:eu-west-1:000000000000:scalable-target/x\", \"Tags\": {\"a\": \"b\"}}", "Tags on scalable targets are not supported")]
    [InlineData("PutScalingPolicy", "{" + Key + ", \"PolicyName\": \"a/b\", \"PolicyType\": \"StepScaling\"}", "PolicyName must be")]
    [InlineData("PutScheduledAction", "{" + Key + ", \"ScheduledActionName\": \"s\", \"Schedule\": \"every day\", \"ScalableTargetAction\": {\"MinCapacity\": 1}}", "Invalid Schedule")]
    [InlineData("PutScheduledAction", "{" + Key + ", \"ScheduledActionName\": \"s\", \"Schedule\": \"rate(1 hour)\", \"Timezone\": \"Mars/Olympus\", \"ScalableTargetAction\": {\"MinCapacity\": 1}}", "not a time zone name")]
    [InlineData("PutScheduledAction", "{" + Key + ", \"ScheduledActionName\": \"s\", \"Schedule\": \"rate(1 hour)\"}", "ScalableTargetAction must set")]
    [InlineData("DescribeScalableTargets", "{}", "ServiceNamespace is required")]
    [InlineData("DescribeScalingPolicies", "{\"ServiceNamespace\": \"ecs\", \"MaxResults\": 500}", "MaxResults must be between 1 and 50")]
    [InlineData("DescribeScalingActivities", "{\"ServiceNamespace\": \"ecs\", \"NextToken\": \"zz\"}", "NextToken is not a token")]
    public async Task MalformedOrUnsupported_IsAValidationException_NotA500(string action, string body, string message)
    {
        if (action is "PutScalingPolicy" or "PutScheduledAction")
        {
            await OkAsync("RegisterScalableTarget", $$"""{{{Key}}, "MinCapacity": 1, "MaxCapacity": 3}""");
        }

        await ErrorAsync(action, body, "ValidationException", message);
    }

    [Fact]
    public async Task WrongScope_UnknownAction_AndNoTarget_AreRefusedClearly()
    {
        using (var ecsScope = await SendAsync("DescribeScalableTargets", """{"ServiceNamespace": "ecs"}""", service: "ecs"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, ecsScope.StatusCode);
            Assert.Contains("expected eu-west-1/application-autoscaling", await ecsScope.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);
        }

        using (var wrongSecret = await SendAsync("DescribeScalableTargets", """{"ServiceNamespace": "ecs"}""", secret: "wrong"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, wrongSecret.StatusCode);
        }

        await ErrorAsync("GetPredictiveScalingForecast", "{}", "UnknownOperationException", "Unknown Application Auto Scaling operation");
        await ErrorAsync("PutScalingPolicy", $$$"""{{{{Key}}}, "PolicyName": "p", "PolicyType": "StepScaling", "StepScalingPolicyConfiguration": {"AdjustmentType": "ChangeInCapacity", "StepAdjustments": [{"ScalingAdjustment": 1}]}}""",
            "ObjectNotFoundException", "No scalable target registered for service namespace: ecs, resource ID: service/default/web");
    }

    private async Task EcsAsync(string action, string body)
    {
        using var request = Request(EcsHttpEndpoint.TargetPrefix + action, body, "ecs", EcsHttpTestHost.Secret);
        using var response = await _host!.Client.SendAsync(request, Token);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Token));
    }

    private async Task<JsonElement> OkAsync(string action, string body)
    {
        using var response = await SendAsync(action, body);
        var text = await response.Content.ReadAsStringAsync(Token);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{action}: {response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private async Task ErrorAsync(string action, string body, string type, string message)
    {
        using var response = await SendAsync(action, body);
        var text = await response.Content.ReadAsStringAsync(Token);
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{response.StatusCode}: {text}");
        var error = JsonDocument.Parse(text).RootElement;
        Assert.Equal(type, error.GetProperty("__type").GetString());
        Assert.Contains(message, error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    private async Task<HttpResponseMessage> SendAsync(string action, string body, string service = "application-autoscaling", string secret = EcsHttpTestHost.Secret)
    {
        using var request = Request(AutoScalingHttpEndpoint.TargetPrefix + action, body, service, secret);
        return await _host!.Client.SendAsync(request, Token);
    }

    private static HttpRequestMessage Request(string target, string body, string service, string secret)
    {
        var amzDate = DateTimeOffset.UtcNow.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var request = new HttpRequestMessage(HttpMethod.Post, "http://localhost/") { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new("application/x-amz-json-1.1");
        request.Headers.Add("X-Amz-Date", amzDate);
        request.Headers.Add("X-Amz-Target", target);
        var headers = new Dictionary<string, string> { ["host"] = "localhost", ["x-amz-date"] = amzDate, ["x-amz-target"] = target };
        var authorization = new SigV4.Authorization(EcsHttpTestHost.KeyId, amzDate[..8], "eu-west-1", service, [.. headers.Keys], "");
        var payload = SigV4.Hex(SHA256.HashData(Encoding.UTF8.GetBytes(body)));
        var canonical = SigV4.CanonicalRequest("POST", "/", authorization.SignedHeaders, name => headers[name], payload);
        var signature = SigV4.Signature(secret, authorization, SigV4.StringToSign(amzDate, authorization.Scope, canonical));
        request.Headers.TryAddWithoutValidation("Authorization",
            $"AWS4-HMAC-SHA256 Credential={EcsHttpTestHost.KeyId}/{authorization.Scope}, SignedHeaders={string.Join(';', authorization.SignedHeaders)}, Signature={signature}");
        return request;
    }
}
