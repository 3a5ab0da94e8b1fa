using Orchestrator.Agent.Metadata;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Agent.Tests.Metadata;

/// <summary>
/// The agent's side of task roles: the credentials ID (unguessable, stable across restarts and key rotation, never a
/// container's metadata token), the variable only for tasks with a role on networks the redirect serves, keys replaced
/// under the same ID, the redirect's iptables rules, and nothing secret in ToString.
/// </summary>
public sealed class TaskRoleCredentialsTests
{
    private const string TaskArn = "arn:aws:ecs:us-east-1:000000000000:task/prod/abc";
    private const string OtherArn = "arn:aws:ecs:us-east-1:000000000000:task/prod/def";

    [Fact]
    public void Id_IsStablePerTask_DistinctFromMetadataTokens_AndKeyed()
    {
        var tokens = new MetadataTokens(new byte[32]);
        var credentials = new TaskRoleCredentials(tokens);

        var id = credentials.IdFor(TaskArn);
        Assert.Matches("^[0-9a-f]{32}$", id);
        Assert.Equal(id, new TaskRoleCredentials(new MetadataTokens(new byte[32])).IdFor(TaskArn));
        Assert.NotEqual(id, credentials.IdFor(OtherArn));
        Assert.NotEqual(id, tokens.For(TaskArn, "app"));
        var otherKey = new byte[32];
        otherKey[0] = 1;
        Assert.NotEqual(id, new TaskRoleCredentials(new MetadataTokens(otherKey)).IdFor(TaskArn));
        Assert.Equal("/v2/credentials/" + id, credentials.RelativeUri(TaskArn));
    }

    [Fact]
    public void Keys_AreReplacedUnderTheSameId_FoundOnlyByTheirTasksId_AndForgotten()
    {
        var credentials = new TaskRoleCredentials(new MetadataTokens(new byte[32]));
        var raised = 0;
        credentials.FirstKeys += () => raised++;
        var expiry = DateTimeOffset.UtcNow.AddHours(1);

        credentials.Put(new RoleKeys(TaskArn, "arn:aws:iam::000000000000:role/r", "ASIAFIRST", "secret1", "token1", expiry));
        credentials.Put(new RoleKeys(TaskArn, "arn:aws:iam::000000000000:role/r", "ASIASECOND", "secret2", "token2", expiry));

        Assert.Equal(1, raised);
        Assert.Equal("ASIASECOND", credentials.ById(credentials.IdFor(TaskArn))!.AccessKeyId);
        Assert.Null(credentials.ById(credentials.IdFor(OtherArn)));
        Assert.Null(credentials.ById("short"));
        credentials.Forget(TaskArn);
        Assert.Null(credentials.ById(credentials.IdFor(TaskArn)));
    }

    [Fact]
    public void Variable_OnlyForTasksWithARole_OnBridgeAndHost_WhereTheEndpointListens()
    {
        var tokens = new MetadataTokens(new byte[32]);
        var credentials = new TaskRoleCredentials(tokens);
        var metadata = new ContainerMetadata(tokens, credentials);
        Assert.Empty(metadata.EnvironmentFor(TaskArn, "app", NetworkModes.Bridge, taskRole: true));

        metadata.Listening("127.0.0.1:51679", "172.17.0.1:51679", "169.254.172.1:51679", "orch-metadata");
        var variable = $"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/v2/credentials/{credentials.IdFor(TaskArn)}";
        Assert.Contains(variable, metadata.EnvironmentFor(TaskArn, "app", NetworkModes.Bridge, taskRole: true));
        Assert.Contains(variable, metadata.EnvironmentFor(TaskArn, "app", NetworkModes.Host, taskRole: true));
        Assert.DoesNotContain(variable, metadata.EnvironmentFor(TaskArn, "app", NetworkModes.Awsvpc, taskRole: true));
        Assert.DoesNotContain(metadata.EnvironmentFor(TaskArn, "app", NetworkModes.Bridge, taskRole: false), v => v.StartsWith("AWS_CONTAINER_CREDENTIALS", StringComparison.Ordinal));
    }

    [Fact]
    public void Redirect_DnatsTheCredentialsAddress_ToTheEndpoint()
    {
        var rules = CredentialsRedirect.Rules("172.17.0.1", 51679);

        Assert.Equal(
            "PREROUTING -d 169.254.170.2/32 -p tcp --dport 80 -m comment --comment orch-task-credentials:51679 -j DNAT --to-destination 172.17.0.1:51679",
            string.Join(' ', rules[0]));
        Assert.Equal(
            "OUTPUT -d 169.254.170.2/32 -p tcp --dport 80 -m comment --comment orch-task-credentials:51679 -j DNAT --to-destination 127.0.0.1:51679",
            string.Join(' ', rules[1]));
        Assert.Single(CredentialsRedirect.Rules(null, 51679));
    }

    [Fact]
    public void RoleKeys_ToString_NeverShowsTheSecretOrToken()
    {
        var text = new RoleKeys(TaskArn, "arn:aws:iam::000000000000:role/r", "ASIAKEY", "the-secret", "the-token", DateTimeOffset.UtcNow).ToString();

        Assert.Contains("ASIAKEY", text, StringComparison.Ordinal);
        Assert.DoesNotContain("the-secret", text, StringComparison.Ordinal);
        Assert.DoesNotContain("the-token", text, StringComparison.Ordinal);
    }
}
