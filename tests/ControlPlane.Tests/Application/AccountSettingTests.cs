using System.Text.Json;
using Orchestrator.Ecs;

namespace Orchestrator.ControlPlane.Tests.Application;

/// <summary>ECS account settings: stored in the state database (they survive a restart), returned, and containerInsights acts.</summary>
public sealed class AccountSettingTests
{
    private static CancellationToken Token => TestCluster.Token;

    [Fact]
    public async Task AccountSettings_SurviveARestart_AndTheDefaultContainerInsightsReachesNewClusters()
    {
        using var cluster = new TestCluster();
        await cluster.Actions.InvokeAsync("PutAccountSettingDefault", """{"name":"containerInsights","value":"enabled"}""", Token);
        await cluster.Actions.InvokeAsync("PutAccountSetting", """{"name":"tagResourceAuthorization","value":"off"}""", Token);

        using var restarted = cluster.Restart();

        var listed = Json(await restarted.Actions.InvokeAsync("ListAccountSettings", "{}", Token)).GetProperty("settings");
        var setting = Assert.Single(listed.EnumerateArray().ToList());
        Assert.Equal(("tagResourceAuthorization", "off", "user"),
            (setting.GetProperty("name").GetString(), setting.GetProperty("value").GetString(), setting.GetProperty("type").GetString()));
        var effective = Json(await restarted.Actions.InvokeAsync("ListAccountSettings", """{"name":"containerInsights","effectiveSettings":true}""", Token));
        Assert.Equal("enabled", effective.GetProperty("settings")[0].GetProperty("value").GetString());
        var created = Json(await restarted.Actions.InvokeAsync("CreateCluster", """{"clusterName":"c"}""", Token));
        Assert.Equal("enabled", created.GetProperty("cluster").GetProperty("settings")[0].GetProperty("value").GetString());

        await restarted.Actions.InvokeAsync("DeleteAccountSetting", """{"name":"tagResourceAuthorization"}""", Token);
        var aws = Json(await restarted.Actions.InvokeAsync("ListAccountSettings", """{"name":"tagResourceAuthorization","effectiveSettings":true}""", Token));
        Assert.Equal(("on", "aws_managed"), (aws.GetProperty("settings")[0].GetProperty("value").GetString(), aws.GetProperty("settings")[0].GetProperty("type").GetString()));
    }

    [Theory]
    [InlineData("""{"name":"awsvpcTrunking","value":"enabled"}""", "Parameter value is not supported by this control plane yet for the account setting awsvpcTrunking: the value \"enabled\" is refused; it takes only \"disabled\".")]
    [InlineData("""{"name":"guardDutyActivate","value":"on"}""", "Parameter value is not supported by this control plane yet for the account setting guardDutyActivate: the value \"on\" is refused; it takes only \"off\".")]
    public async Task PutAccountSetting_AValueThatAsksForAnAwsFeature_IsRefusedByNameAndValue(string request, string message)
    {
        using var cluster = new TestCluster();

        var error = await Assert.ThrowsAsync<EcsException>(() => cluster.Actions.InvokeAsync("PutAccountSetting", request, Token));

        Assert.Equal(EcsErrors.Client, error.ErrorType);
        Assert.Equal(message, error.Message);
    }

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();
}
