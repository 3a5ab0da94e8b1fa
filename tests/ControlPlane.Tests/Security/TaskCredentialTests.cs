using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.ControlPlane.Http;
using Orchestrator.ControlPlane.Security;
using Orchestrator.ControlPlane.State;
using Orchestrator.ControlPlane.Tests.Http;
using Orchestrator.Ecs.Model;
using TaskStatus = Orchestrator.Ecs.Model.TaskStatus;

namespace Orchestrator.ControlPlane.Tests.Security;

/// <summary>
/// Task role keys: the store (expiry, session token, revocation, replacement, nothing secret in ToString) on a fake
/// clock, the role store on disk, and the ECS HTTP API accepting calls signed with them only as the role's policy
/// says, from a live task, with the right session token.
/// </summary>
public sealed class TaskCredentialTests : IAsyncLifetime
{
    private const string TaskArn = "arn:aws:ecs:eu-west-1:000000000000:task/prod/0123456789abcdef0123456789abcdef";
    private const string RoleArn = "arn:aws:iam::000000000000:role/reader";
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-12-07T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "orch-roles-" + Guid.NewGuid().ToString("N"));
    private EcsHttpTestHost? _host;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        Directory.Delete(_dir, recursive: true);
    }

    private TaskCredentialStore Store(TimeSpan? lifetime = null) =>
        new(Options.Create(new ControlPlaneOptions { DataDir = _dir, TaskCredentialLifetime = lifetime ?? TimeSpan.FromMinutes(10) }), _clock);

    [Fact]
    public void Issued_AreAsiaKeys_BoundToTheTask_UntilTheyExpire()
    {
        var store = Store();
        var issued = store.Issue(TaskArn, RoleArn);

        Assert.Matches("^ASIA[A-Z2-7]{16}$", issued.AccessKeyId);
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromMinutes(10), issued.Expiration);
        Assert.Equal(TaskArn, store.Check(issued.AccessKeyId, issued.SessionToken, out var problem)!.TaskArn);
        Assert.Equal(CredentialProblem.None, problem);

        _clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Null(store.Check(issued.AccessKeyId, issued.SessionToken, out problem));
        Assert.Equal(CredentialProblem.Expired, problem);
    }

    [Fact]
    public void WrongOrMissingToken_UnknownKey_AndRevokedKeys_AreRefused()
    {
        var store = Store();
        var issued = store.Issue(TaskArn, RoleArn);

        Assert.Null(store.Check(issued.AccessKeyId, issued.SessionToken[..^1] + "x", out var problem));
        Assert.Equal(CredentialProblem.WrongToken, problem);
        Assert.Null(store.Check(issued.AccessKeyId, null, out problem));
        Assert.Equal(CredentialProblem.WrongToken, problem);
        Assert.Null(store.Check("ASIAAAAAAAAAAAAAAAAA", issued.SessionToken, out problem));
        Assert.Equal(CredentialProblem.Unknown, problem);

        store.Revoke(TaskArn);
        Assert.Null(store.Check(issued.AccessKeyId, issued.SessionToken, out problem));
        Assert.Equal(CredentialProblem.Unknown, problem);
        Assert.Null(store.Latest(TaskArn));
    }

    [Fact]
    public void NewKeys_LeaveTheOldValidUntilTheyExpire_ThenTheyAreToldExpired()
    {
        var store = Store();
        var first = store.Issue(TaskArn, RoleArn);
        _clock.Advance(TimeSpan.FromMinutes(6));
        var second = store.Issue(TaskArn, RoleArn);

        Assert.Same(second, store.Latest(TaskArn));
        Assert.NotNull(store.Check(first.AccessKeyId, first.SessionToken, out _));
        _clock.Advance(TimeSpan.FromMinutes(5));
        store.Issue(TaskArn, RoleArn); // sweeps the first, now expired
        Assert.Null(store.Check(first.AccessKeyId, first.SessionToken, out var problem));
        Assert.Equal(CredentialProblem.Expired, problem);
        Assert.NotNull(store.Check(second.AccessKeyId, second.SessionToken, out _));
    }

    [Fact]
    public void ToString_NamesTheKeyId_NeverTheSecretOrToken()
    {
        var issued = Store().Issue(TaskArn, RoleArn);
        var text = issued.ToString();

        Assert.Contains(issued.AccessKeyId, text, StringComparison.Ordinal);
        Assert.DoesNotContain(issued.SecretAccessKey, text, StringComparison.Ordinal);
        Assert.DoesNotContain(issued.SessionToken, text, StringComparison.Ordinal);
    }

    [Fact]
    public void Roles_AreKeptOwnerOnly_AndFoundByNameOrArnOfThisAccount()
    {
        var options = Options.Create(new ControlPlaneOptions { DataDir = _dir });
        var roles = new RoleStore(options, _clock);
        Assert.True(roles.Create("reader", """{"Statement":{"Effect":"Allow","Action":"ecs:List*","Resource":"*"}}""", "reads", out var role));
        Assert.Equal(RoleArn, role.Arn);
        Assert.StartsWith("AROA", role.RoleId, StringComparison.Ordinal);
        Assert.False(roles.Create("reader", """{"Statement":{"Effect":"Allow","Action":"ecs:*","Resource":"*"}}""", "", out _));
        Assert.Throws<FormatException>(() => roles.Create("bad", "{}", "", out _));

        var reopened = new RoleStore(options, _clock);
        Assert.Equal("reads", reopened.Get("reader")!.Description);
        Assert.NotNull(reopened.Find("reader"));
        Assert.NotNull(reopened.Find(RoleArn));
        Assert.Null(reopened.Find("arn:aws:iam::000000000000:role/team/reader")); // roles here have no path: another role's ARN
        Assert.Null(reopened.Find("arn:aws:iam::111111111111:role/reader"));
        Assert.Null(reopened.Find("arn:aws:iam::000000000000:role/writer"));
        Assert.True(reopened.Find("reader")!.Value.Policy.Allows("ecs:ListTasks", "*"));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_dir, "roles.json")));
        }

        Assert.True(reopened.Delete("reader"));
        Assert.Null(new RoleStore(options, _clock).Get("reader"));
    }

    [Fact]
    public async Task EcsApi_TaskKeys_AllowedByPolicy_RefusedOtherwise_AndDeadWithTheTask()
    {
        _host = await EcsHttpTestHost.StartAsync(Token);
        using (var created = await _host.Client.SendAsync(EcsHttpEndpointTests.Signed("CreateCluster", """{"clusterName":"prod"}""", EcsHttpTestHost.KeyId, EcsHttpTestHost.Secret, DateTimeOffset.UtcNow), Token))
        {
            Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        }

        var roles = _host.Services.GetRequiredService<RoleStore>();
        roles.Create("reader", """
            {"Statement":[{"Effect":"Allow","Action":["ecs:ListTasks","ecs:DescribeClusters"],"Resource":"*"},
                          {"Effect":"Deny","Action":"ecs:DescribeClusters","Resource":"arn:aws:ecs:eu-west-1:000000000000:cluster/secret"}]}
            """, "", out _);
        var store = _host.Services.GetRequiredService<StateStore>();
        await store.WriteAsync(tx =>
        {
            tx.Put(new TaskRecord
            {
                ClusterName = "prod",
                Reserved = new TaskRequirements(0, 0, [], []),
                Task = new EcsTask { TaskArn = TaskArn, ClusterArn = "arn:aws:ecs:eu-west-1:000000000000:cluster/prod", TaskDefinitionArn = "arn:aws:ecs:eu-west-1:000000000000:task-definition/x:1", LastStatus = TaskStatus.Running, Version = 1 },
            });
            return true;
        }, Token);
        var keys = _host.Services.GetRequiredService<TaskCredentialStore>().Issue(TaskArn, RoleArn);

        // Allowed: ListTasks.
        using (var listed = await SendAsync("ListTasks", """{"cluster":"prod"}""", keys.AccessKeyId, keys.SecretAccessKey, keys.SessionToken))
        {
            Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
            Assert.Contains(TaskArn, await listed.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);
        }

        // Refused: no allow, an explicit deny; both in IAM's words.
        await AssertErrorAsync(await SendAsync("StopTask", $$"""{"cluster":"prod","task":"{{TaskArn}}"}""", keys.AccessKeyId, keys.SecretAccessKey, keys.SessionToken),
            "AccessDeniedException",
            $"User: arn:aws:sts::000000000000:assumed-role/reader/0123456789abcdef0123456789abcdef is not authorized to perform: ecs:StopTask on resource: {TaskArn} because no identity-based policy allows the ecs:StopTask action");
        await AssertErrorAsync(await SendAsync("DescribeClusters", """{"clusters":["prod","secret"]}""", keys.AccessKeyId, keys.SecretAccessKey, keys.SessionToken),
            "AccessDeniedException", "on resource: arn:aws:ecs:eu-west-1:000000000000:cluster/secret with an explicit deny in an identity-based policy");

        // The session token must be the one issued, present and signed.
        await AssertErrorAsync(await SendAsync("ListTasks", "{}", keys.AccessKeyId, keys.SecretAccessKey, keys.SessionToken[..^2] + "AA"),
            "UnrecognizedClientException", "The security token included in the request is invalid.");
        await AssertErrorAsync(await SendAsync("ListTasks", "{}", keys.AccessKeyId, keys.SecretAccessKey, null),
            "UnrecognizedClientException", "The security token included in the request is invalid.");
        await AssertErrorAsync(await SendAsync("ListTasks", "{}", keys.AccessKeyId, keys.SecretAccessKey, keys.SessionToken, signToken: false),
            "InvalidSignatureException", "x-amz-security-token");
        await AssertErrorAsync(await SendAsync("ListTasks", "{}", keys.AccessKeyId, "wrong" + keys.SecretAccessKey, keys.SessionToken),
            "InvalidSignatureException", "does not match");

        // Another task's keys never name this task's role; once this task stops, its keys stop working.
        await store.WriteAsync(tx =>
        {
            tx.Put(tx.State.Task(TaskArn)! with { Task = tx.State.Task(TaskArn)!.Task with { DesiredStatus = TaskStatus.Stopped, Version = 2 } });
            return true;
        }, Token);
        await AssertErrorAsync(await SendAsync("ListTasks", "{}", keys.AccessKeyId, keys.SecretAccessKey, keys.SessionToken),
            "UnrecognizedClientException", "The security token included in the request is invalid.");

        // A deleted role takes its keys' rights with it.
        var other = "arn:aws:ecs:eu-west-1:000000000000:task/prod/ffffffffffffffffffffffffffffffff";
        await store.WriteAsync(tx =>
        {
            tx.Put(tx.State.Task(TaskArn)! with { Task = tx.State.Task(TaskArn)!.Task with { TaskArn = other, DesiredStatus = TaskStatus.Running, Version = 1 } });
            return true;
        }, Token);
        var otherKeys = _host.Services.GetRequiredService<TaskCredentialStore>().Issue(other, RoleArn);
        using (var ok = await SendAsync("ListTasks", """{"cluster":"prod"}""", otherKeys.AccessKeyId, otherKeys.SecretAccessKey, otherKeys.SessionToken))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        roles.Delete("reader");
        await AssertErrorAsync(await SendAsync("ListTasks", "{}", otherKeys.AccessKeyId, otherKeys.SecretAccessKey, otherKeys.SessionToken),
            "UnrecognizedClientException", "The security token included in the request is invalid.");
    }

    [Fact]
    public async Task EcsApi_TaskKeys_StartingATaskWithARole_NeedIamPassRoleOnIt()
    {
        _host = await EcsHttpTestHost.StartAsync(Token);
        using (var created = await _host.Client.SendAsync(EcsHttpEndpointTests.Signed("RegisterTaskDefinition",
            """{"family":"admin-job","taskRoleArn":"admin","containerDefinitions":[{"name":"a","image":"local/busybox:1","memory":32}]}""",
            EcsHttpTestHost.KeyId, EcsHttpTestHost.Secret, DateTimeOffset.UtcNow), Token))
        {
            Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        }

        var roles = _host.Services.GetRequiredService<RoleStore>();
        roles.Create("admin", """{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}""", "", out _);
        roles.Create("launcher", """
            {"Statement":[{"Effect":"Allow","Action":"ecs:RunTask","Resource":"*"},
                          {"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::000000000000:role/launcher"}]}
            """, "", out _);
        await _host.Services.GetRequiredService<StateStore>().WriteAsync(tx =>
        {
            tx.Put(new TaskRecord
            {
                ClusterName = "default",
                Reserved = new TaskRequirements(0, 0, [], []),
                Task = new EcsTask { TaskArn = TaskArn, ClusterArn = "arn:aws:ecs:eu-west-1:000000000000:cluster/default", TaskDefinitionArn = "arn:aws:ecs:eu-west-1:000000000000:task-definition/x:1", LastStatus = TaskStatus.Running, Version = 1 },
            });
            return true;
        }, Token);
        var keys = _host.Services.GetRequiredService<TaskCredentialStore>().Issue(TaskArn, "arn:aws:iam::000000000000:role/launcher");

        // The definition's role, and an override naming it: refused. Its own role: past the check (RunTask then answers for itself).
        await AssertErrorAsync(await SendAsync("RunTask", """{"taskDefinition":"admin-job"}""", keys.AccessKeyId, keys.SecretAccessKey, keys.SessionToken),
            "AccessDeniedException", "is not authorized to perform: iam:PassRole on resource: arn:aws:iam::000000000000:role/admin");
        await AssertErrorAsync(await SendAsync("RunTask", """{"taskDefinition":"x","overrides":{"taskRoleArn":"admin"}}""", keys.AccessKeyId, keys.SecretAccessKey, keys.SessionToken),
            "AccessDeniedException", "iam:PassRole on resource: arn:aws:iam::000000000000:role/admin");
        using var own = await SendAsync("RunTask", """{"taskDefinition":"admin-job","overrides":{"taskRoleArn":"arn:aws:iam::000000000000:role/launcher"}}""",
            keys.AccessKeyId, keys.SecretAccessKey, keys.SessionToken);
        Assert.DoesNotContain("AccessDenied", await own.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AutoScalingApi_TaskKeys_OnlyWhatTheRolesPolicyAllows()
    {
        _host = await EcsHttpTestHost.StartAsync(Token);
        var roles = _host.Services.GetRequiredService<RoleStore>();
        roles.Create("scaler-reader", """{"Statement":[{"Effect":"Allow","Action":"application-autoscaling:Describe*","Resource":"*"}]}""", "", out _);
        await _host.Services.GetRequiredService<StateStore>().WriteAsync(tx =>
        {
            tx.Put(new TaskRecord
            {
                ClusterName = "default",
                Reserved = new TaskRequirements(0, 0, [], []),
                Task = new EcsTask { TaskArn = TaskArn, ClusterArn = "arn:aws:ecs:eu-west-1:000000000000:cluster/default", TaskDefinitionArn = "arn:aws:ecs:eu-west-1:000000000000:task-definition/x:1", LastStatus = TaskStatus.Running, Version = 1 },
            });
            return true;
        }, Token);
        var keys = _host.Services.GetRequiredService<TaskCredentialStore>().Issue(TaskArn, "arn:aws:iam::000000000000:role/scaler-reader");

        using (var described = await SendAsync("DescribeScalableTargets", """{"ServiceNamespace":"ecs"}""", keys.AccessKeyId, keys.SecretAccessKey, keys.SessionToken,
            targetPrefix: AutoScalingHttpEndpoint.TargetPrefix, service: AutoScalingHttpEndpoint.SigningName))
        {
            Assert.Equal(HttpStatusCode.OK, described.StatusCode);
        }

        using var registered = await SendAsync("RegisterScalableTarget",
            """{"ServiceNamespace":"ecs","ResourceId":"service/default/web","ScalableDimension":"ecs:service:DesiredCount","MinCapacity":1,"MaxCapacity":50}""",
            keys.AccessKeyId, keys.SecretAccessKey, keys.SessionToken, targetPrefix: AutoScalingHttpEndpoint.TargetPrefix, service: AutoScalingHttpEndpoint.SigningName);
        Assert.Equal(HttpStatusCode.Forbidden, registered.StatusCode);
        var error = JsonDocument.Parse(await registered.Content.ReadAsStringAsync(Token)).RootElement;
        Assert.Equal("AccessDeniedException", error.GetProperty("__type").GetString());
        Assert.Contains("assumed-role/scaler-reader/0123456789abcdef0123456789abcdef is not authorized to perform: application-autoscaling:RegisterScalableTarget",
            error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(_host.Services.GetRequiredService<StateStore>().Current.ScalableTargets);
    }

    private async Task<HttpResponseMessage> SendAsync(string action, string body, string keyId, string secret, string? sessionToken, bool signToken = true,
        string targetPrefix = EcsHttpEndpoint.TargetPrefix, string service = "ecs")
    {
        var at = DateTimeOffset.UtcNow;
        var request = new HttpRequestMessage(HttpMethod.Post, "http://localhost/") { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new("application/x-amz-json-1.1");
        var amzDate = at.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        request.Headers.Add("X-Amz-Date", amzDate);
        request.Headers.Add("X-Amz-Target", targetPrefix + action);
        var headers = new Dictionary<string, string>
        {
            ["content-type"] = "application/x-amz-json-1.1",
            ["host"] = "localhost",
            ["x-amz-date"] = amzDate,
            ["x-amz-target"] = targetPrefix + action,
        };
        if (sessionToken is not null)
        {
            request.Headers.Add("X-Amz-Security-Token", sessionToken);
            if (signToken)
            {
                headers["x-amz-security-token"] = sessionToken;
            }
        }

        var names = headers.Keys.Order(StringComparer.Ordinal).ToList();
        var authorization = new SigV4.Authorization(keyId, amzDate[..8], "eu-west-1", service, names, "");
        var canonical = SigV4.CanonicalRequest("POST", "/", authorization.SignedHeaders, name => headers[name], Encoding.UTF8.GetBytes(body));
        var signature = SigV4.Signature(secret, authorization, SigV4.StringToSign(amzDate, authorization.Scope, canonical));
        request.Headers.TryAddWithoutValidation("Authorization",
            $"AWS4-HMAC-SHA256 Credential={keyId}/{authorization.Scope}, SignedHeaders={string.Join(';', authorization.SignedHeaders)}, Signature={signature}");
        using (request)
        {
            return await _host!.Client.SendAsync(request, Token);
        }
    }

    private static async Task AssertErrorAsync(HttpResponseMessage response, string type, string message)
    {
        using (response)
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Token)).RootElement;
            Assert.Equal(type, body.GetProperty("__type").GetString());
            Assert.Contains(message, body.GetProperty("message").GetString(), StringComparison.Ordinal);
        }
    }
}
