using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.ControlPlane.Http;
using Orchestrator.ControlPlane.Security;
using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Tests.Http;

/// <summary>
/// The web console's HTTP surface over an in-process control plane: its assets, sign-in, the session cookie, CSRF,
/// read-only keys, rate-limited sign-in and malformed input. The browser flows are in tests/Console.Tests.
/// </summary>
public sealed class ConsoleEndpointTests : IAsyncLifetime
{
    private const string KeyId = "AKIDCONSOLETEST";
    private const string Secret = "console/secret+value";
    private string _dataDir = "";
    private WebApplication? _app;
    private HttpClient _http = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _dataDir = Path.Combine(Path.GetTempPath(), "orch-console-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dataDir);
        var keys = Path.Combine(_dataDir, "keys");
        await File.WriteAllTextAsync(keys, $"{KeyId} {Secret}\n", Token);
        _app = ControlPlaneApp.Build([$"--data-dir={_dataDir}", $"--access-keys-file={keys}"], b => b.WebHost.UseTestServer());
        await _app.StartAsync(Token);
        _http = _app.GetTestClient();
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync(CancellationToken.None);
            await _app.DisposeAsync();
        }

        Directory.Delete(_dataDir, recursive: true);
    }

    [Fact]
    public async Task Page_AndAssets_AreServedWithoutSession_SmallAndLockedDown()
    {
        long total = 0;
        foreach (var (path, type) in new[] { ("/console/", "text/html"), ("/console/console.js", "text/javascript"), ("/console/console.css", "text/css") })
        {
            using var response = await _http.GetAsync(new Uri(path, UriKind.Relative), Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(type, response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("script-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            total += (await response.Content.ReadAsByteArrayAsync(Token)).Length;
        }

        Assert.InRange(total, 1, 300 * 1024);
        using var missing = await _http.GetAsync(new Uri("/console/../../etc/passwd", UriKind.Relative), Token);
        Assert.NotEqual(HttpStatusCode.OK, missing.StatusCode);
        using var unknown = await _http.GetAsync(new Uri("/console/secrets.json", UriKind.Relative), Token);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Theory]
    [InlineData("GET", "/console/api/session")]
    [InlineData("GET", "/console/api/events")]
    [InlineData("GET", "/console/api/task-events?task=x")]
    [InlineData("GET", "/console/api/task-stats?task=x")]
    [InlineData("GET", "/console/api/task-logs?task=x")]
    [InlineData("GET", "/console/api/placement?taskDefinition=x")]
    [InlineData("POST", "/console/api/ecs/ListClusters")]
    [InlineData("POST", "/console/api/ecs/CreateCluster")]
    [InlineData("POST", "/console/api/logout")]
    public async Task EveryApiCall_WithoutSession_Is401(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "POST" ? Json("{}") : null };
        request.Headers.Add("Cookie", $"{ConsoleEndpoint.CookieName}=forged-session-value");
        request.Headers.Add(ConsoleEndpoint.CsrfHeader, "forged");
        using var response = await _http.SendAsync(request, Token);

        await AssertErrorAsync(response, HttpStatusCode.Unauthorized, "MissingAuthenticationTokenException");
    }

    [Fact]
    public async Task SignIn_SetsStrictHttpOnlyCookie_AndTheSessionCallsActions()
    {
        var (cookie, csrf, setCookie) = await SignInAsync(KeyId, Secret);

        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/console", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("max-age=3600", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Secret, setCookie, StringComparison.Ordinal);

        using var created = await PostAsync("/console/api/ecs/CreateCluster", """{"clusterName":"web"}""", cookie, csrf);
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        using var listed = await PostAsync("/console/api/ecs/ListClusters", "{}", cookie, csrf);
        Assert.Contains("cluster/web", await listed.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_WithoutTheSessionsCsrfToken_IsRefused()
    {
        var (cookie, _, _) = await SignInAsync(KeyId, Secret);

        using var none = await PostAsync("/console/api/ecs/CreateCluster", """{"clusterName":"forged"}""", cookie, csrf: null);
        await AssertErrorAsync(none, HttpStatusCode.Forbidden, "AccessDeniedException");
        using var wrong = await PostAsync("/console/api/ecs/CreateCluster", """{"clusterName":"forged"}""", cookie, csrf: "0123456789abcdef0123456789abcdef");
        await AssertErrorAsync(wrong, HttpStatusCode.Forbidden, "AccessDeniedException");
        using var signOut = await PostAsync("/console/api/logout", "", cookie, csrf: null);
        await AssertErrorAsync(signOut, HttpStatusCode.Forbidden, "AccessDeniedException");
    }

    [Fact]
    public async Task ValidationErrors_AreTheApisOwn_AndMalformedInput_NeverA500()
    {
        var (cookie, csrf, _) = await SignInAsync(KeyId, Secret);

        using var bad = await PostAsync("/console/api/ecs/RegisterTaskDefinition", """{"family":"bad family!","containerDefinitions":[]}""", cookie, csrf);
        var body = await AssertErrorAsync(bad, HttpStatusCode.BadRequest, "ClientException");
        Assert.Contains("family", body, StringComparison.OrdinalIgnoreCase);

        foreach (var (path, payload) in new[]
                 {
                     ("/console/api/ecs/ListClusters", "{not json"),
                     ("/console/api/ecs/ListClusters", "[]"),
                     ("/console/api/ecs/NoSuchAction", "{}"),
                     ("/console/api/ecs/DescribeTasks", """{"tasks": 5}"""),
                     ("/console/api/ecs/RunTask", "\"\\ud800\""),
                 })
        {
            using var response = await PostAsync(path, payload, cookie, csrf);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        foreach (var payload in new[] { "", "{", "[1]", """{"accessKeyId": 5}""", new string('x', 10_000) })
        {
            using var response = await _http.PostAsync(new Uri("/console/api/login", UriKind.Relative), Json(payload), Token);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        using var events = await GetAsync("/console/api/task-events?task=", cookie);
        Assert.Equal(HttpStatusCode.BadRequest, events.StatusCode);
        using var unknownTask = await GetAsync("/console/api/task-events?task=nope", cookie);
        Assert.Equal(HttpStatusCode.BadRequest, unknownTask.StatusCode);
    }

    [Fact]
    public async Task ReadOnlyKey_ReadsButCannotChangeAnything_NorReadLogs()
    {
        var key = _app!.Services.GetRequiredService<AccessKeyStore>().Create(readOnly: true, "console test");
        var (cookie, csrf, _) = await SignInAsync(key.Id, key.Secret);

        using var session = await GetAsync("/console/api/session", cookie);
        Assert.True(JsonDocument.Parse(await session.Content.ReadAsStringAsync(Token)).RootElement.GetProperty("readOnly").GetBoolean());
        using var listed = await PostAsync("/console/api/ecs/ListClusters", "{}", cookie, csrf);
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        foreach (var action in new[] { "CreateCluster", "RunTask", "StopTask", "UpdateService", "RegisterTaskDefinition", "UpdateContainerInstancesState" })
        {
            using var refused = await PostAsync($"/console/api/ecs/{action}", """{"clusterName":"x"}""", cookie, csrf);
            await AssertErrorAsync(refused, HttpStatusCode.Forbidden, "AccessDeniedException");
        }

        using var logs = await GetAsync("/console/api/task-logs?task=x", cookie);
        await AssertErrorAsync(logs, HttpStatusCode.Forbidden, "AccessDeniedException");
        using var clusters = await PostAsync("/console/api/ecs/ListClusters", "{}", cookie, csrf);
        Assert.DoesNotContain("cluster/x", await clusters.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Placement_GivesEachInstancesReason_WithoutPlacing_ToReadOnlyKeysToo_AndRefusesMalformedQueries()
    {
        var (admin, csrf, _) = await SignInAsync(KeyId, Secret);
        using (var created = await PostAsync("/console/api/ecs/CreateCluster", "{}", admin, csrf))
        {
            Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        }

        using (var registered = await PostAsync("/console/api/ecs/RegisterTaskDefinition",
            """{"family":"huge","containerDefinitions":[{"name":"a","image":"busybox","memory":100000,"essential":true}]}""", admin, csrf))
        {
            Assert.Equal(HttpStatusCode.OK, registered.StatusCode);
        }

        var arn = _app!.Services.GetRequiredService<Arns>().ContainerInstance("default", "0123456789abcdef");
        await _app.Services.GetRequiredService<StateStore>().WriteAsync(tx =>
        {
            tx.Put(new InstanceRecord
            {
                Arn = arn,
                ClusterName = "default",
                Ec2InstanceId = "i-0console",
                Registered = new HostCapacity(2048, 4096, [22], []),
                Status = ContainerInstanceStatus.Active,
                VersionInfo = new VersionInfo("1.51.0", null, null),
            });
            return 0;
        }, Token);

        var key = _app.Services.GetRequiredService<AccessKeyStore>().Create(readOnly: true, "console placement test");
        var (reader, _, _) = await SignInAsync(key.Id, key.Secret);
        using var answer = await GetAsync("/console/api/placement?taskDefinition=huge", reader);
        var text = await answer.Content.ReadAsStringAsync(Token);
        Assert.True(answer.StatusCode == HttpStatusCode.OK, text);
        var body = JsonDocument.Parse(text).RootElement;
        Assert.Equal(JsonValueKind.Null, body.GetProperty("instance").ValueKind);
        var failure = Assert.Single(body.GetProperty("failures").EnumerateArray());
        Assert.Equal(arn, failure.GetProperty("arn").GetString());
        Assert.False(string.IsNullOrEmpty(failure.GetProperty("reason").GetString()));
        Assert.False(string.IsNullOrEmpty(failure.GetProperty("detail").GetString()));
        using (var tasks = await PostAsync("/console/api/ecs/ListTasks", "{}", admin, csrf))
        {
            Assert.Equal("[]", JsonDocument.Parse(await tasks.Content.ReadAsStringAsync(Token)).RootElement.GetProperty("taskArns").GetRawText());
        }

        foreach (var query in new[] { "", "?service=a&taskDefinition=b", "?service=nope", "?taskDefinition=huge:notanumber", "?taskDefinition=missing", "?cluster=nope&taskDefinition=huge" })
        {
            using var refused = await GetAsync("/console/api/placement" + query, reader);
            var error = await refused.Content.ReadAsStringAsync(Token);
            Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, $"{query}: {refused.StatusCode} {error}");
            Assert.InRange(error.Length, 10, 500);
        }
    }

    [Fact]
    public async Task SignOut_EndsTheSession_AndADeletedKeyEndsItToo()
    {
        var (cookie, csrf, _) = await SignInAsync(KeyId, Secret);
        using var signedOut = await PostAsync("/console/api/logout", "", cookie, csrf);
        Assert.Equal(HttpStatusCode.NoContent, signedOut.StatusCode);
        Assert.Contains("expires=", signedOut.Headers.GetValues("Set-Cookie").Single(), StringComparison.OrdinalIgnoreCase);
        using var after = await GetAsync("/console/api/session", cookie);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);

        var store = _app!.Services.GetRequiredService<AccessKeyStore>();
        var key = store.Create(readOnly: true, "to delete");
        var (other, _, _) = await SignInAsync(key.Id, key.Secret);
        Assert.Equal(DeleteResult.Deleted, store.Delete(key.Id));
        using var gone = await GetAsync("/console/api/session", other);
        Assert.Equal(HttpStatusCode.Unauthorized, gone.StatusCode);
    }

    [Fact]
    public async Task FailedSignIns_AreRateLimited_EvenTheRightSecretWaits()
    {
        for (var i = 0; i < ConsoleSessions.AttemptsPerWindow; i++)
        {
            using var wrong = await _http.PostAsync(new Uri("/console/api/login", UriKind.Relative), Json(JsonSerializer.Serialize(new { accessKeyId = KeyId, secretAccessKey = $"guess{i}" })), Token);
            await AssertErrorAsync(wrong, HttpStatusCode.Forbidden, "UnrecognizedClientException");
        }

        using var right = await _http.PostAsync(new Uri("/console/api/login", UriKind.Relative), Json(JsonSerializer.Serialize(new { accessKeyId = KeyId, secretAccessKey = Secret })), Token);
        await AssertErrorAsync(right, HttpStatusCode.TooManyRequests, "ThrottlingException");
        Assert.False(right.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task Events_StreamAChangeWhenTheClusterChanges()
    {
        var (cookie, csrf, _) = await SignInAsync(KeyId, Secret);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/console/api/events");
        request.Headers.Add("Cookie", $"{ConsoleEndpoint.CookieName}={cookie}");
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Token));
        var first = await NextEventAsync(reader);
        using var created = await PostAsync("/console/api/ecs/CreateCluster", """{"clusterName":"live"}""", cookie, csrf);
        var second = await NextEventAsync(reader);

        Assert.NotEqual(first, second);
        Assert.StartsWith("{\"version\":", second, StringComparison.Ordinal);
    }

    private static async Task<string> NextEventAsync(StreamReader reader)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        for (var i = 0; i < 100; i++)
        {
            var line = await reader.ReadLineAsync(timeout.Token) ?? throw new InvalidOperationException("the stream ended");
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                return line["data: ".Length..];
            }
        }

        throw new InvalidOperationException("no event");
    }

    private async Task<(string Cookie, string Csrf, string SetCookie)> SignInAsync(string id, string secret)
    {
        using var response = await _http.PostAsync(new Uri("/console/api/login", UriKind.Relative),
            Json(JsonSerializer.Serialize(new { accessKeyId = id, secretAccessKey = secret })), Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var setCookie = response.Headers.GetValues("Set-Cookie").Single();
        var cookie = setCookie.Split(';')[0].Split('=', 2)[1];
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Token)).RootElement;
        Assert.DoesNotContain(secret, body.GetRawText(), StringComparison.Ordinal);
        return (cookie, body.GetProperty("csrfToken").GetString()!, setCookie);
    }

    private Task<HttpResponseMessage> PostAsync(string path, string body, string cookie, string? csrf)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Json(body) };
        request.Headers.Add("Cookie", $"{ConsoleEndpoint.CookieName}={cookie}");
        if (csrf is not null)
        {
            request.Headers.Add(ConsoleEndpoint.CsrfHeader, csrf);
        }

        return _http.SendAsync(request, Token);
    }

    private Task<HttpResponseMessage> GetAsync(string path, string cookie)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", $"{ConsoleEndpoint.CookieName}={cookie}");
        return _http.SendAsync(request, Token);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static async Task<string> AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string type)
    {
        var body = await response.Content.ReadAsStringAsync(Token);
        Assert.True(status == response.StatusCode, $"{response.StatusCode}: {body}");
        Assert.Equal(type, JsonDocument.Parse(body).RootElement.GetProperty("__type").GetString());
        return body;
    }
}
