using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Orchestrator.ControlPlane.Http;

namespace Orchestrator.ControlPlane.Tests.Http;

/// <summary>
/// EventBridge Scheduler's REST API on the control plane's HTTP port, signed as botocore signs for the service
/// <c>scheduler</c> (method, path, query string, headers, body); refused like the ECS API when it is not.
/// </summary>
public sealed class SchedulerHttpEndpointTests : IAsyncLifetime
{
    private const string Cluster = "arn:aws:ecs:eu-west-1:000000000000:cluster/default";
    private EcsHttpTestHost? _host;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _host = await EcsHttpTestHost.StartAsync(Token);

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    private static string Body(string expression = "rate(5 minutes)", string input = "") => $$$"""
        {"ScheduleExpression": "{{{expression}}}", "FlexibleTimeWindow": {"Mode": "OFF"},
         "Target": {"Arn": "{{{Cluster}}}", "RoleArn": "arn:aws:iam::000000000000:role/scheduler",
                    "EcsParameters": {"TaskDefinitionArn": "web:1", "TaskCount": 2,
                                      "PlacementStrategy": [{"type": "spread", "field": "instanceId"}]}{{{input}}}}}
        """;

    [Fact]
    public async Task SignedCalls_CreateGetListUpdateDelete()
    {
        using (var created = await SendAsync(HttpMethod.Post, "/schedules/nightly", Body("cron(0 2 * * ? *)")))
        {
            Assert.Equal(HttpStatusCode.OK, created.StatusCode);
            Assert.Equal("arn:aws:scheduler:eu-west-1:000000000000:schedule/default/nightly", (await JsonAsync(created)).GetProperty("ScheduleArn").GetString());
        }

        using (var got = await SendAsync(HttpMethod.Get, "/schedules/nightly", query: "groupName=default"))
        {
            var schedule = await JsonAsync(got);
            Assert.Equal("cron(0 2 * * ? *)", schedule.GetProperty("ScheduleExpression").GetString());
            Assert.Equal("ENABLED", schedule.GetProperty("State").GetString());
            Assert.Equal("spread", schedule.GetProperty("Target").GetProperty("EcsParameters").GetProperty("PlacementStrategy")[0].GetProperty("type").GetString());
            Assert.Equal(JsonValueKind.Number, schedule.GetProperty("CreationDate").ValueKind);
        }

        using (var updated = await SendAsync(HttpMethod.Put, "/schedules/nightly", Body("rate(1 hour)")))
        {
            Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        }

        using (await SendAsync(HttpMethod.Post, "/schedules/other", Body()))
        using (var listed = await SendAsync(HttpMethod.Get, "/schedules", query: "NamePrefix=nig&MaxResults=10&ScheduleGroup=default"))
        {
            var schedules = (await JsonAsync(listed)).GetProperty("Schedules");
            Assert.Equal("nightly", Assert.Single(schedules.EnumerateArray()).GetProperty("Name").GetString());
        }

        using (var paged = await SendAsync(HttpMethod.Get, "/schedules", query: "MaxResults=1"))
        {
            var page = await JsonAsync(paged);
            var token = page.GetProperty("NextToken").GetString()!;
            using var next = await SendAsync(HttpMethod.Get, "/schedules", query: $"MaxResults=1&NextToken={Uri.EscapeDataString(token)}");
            Assert.Equal("other", (await JsonAsync(next)).GetProperty("Schedules")[0].GetProperty("Name").GetString());
        }

        using (var deleted = await SendAsync(HttpMethod.Delete, "/schedules/nightly", query: "clientToken=abc-1&groupName=default"))
        {
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        }

        using var gone = await SendAsync(HttpMethod.Get, "/schedules/nightly");
        await AssertErrorAsync(gone, HttpStatusCode.NotFound, "ResourceNotFoundException", "Schedule nightly does not exist.");
    }

    [Fact]
    public async Task UnsignedCall_IsRefused_AndNothingIsCreated()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://localhost/schedules/sneaky") { Content = new StringContent(Body(), Encoding.UTF8, "application/json") };
        using var response = await _host!.Client.SendAsync(request, Token);

        await AssertErrorAsync(response, HttpStatusCode.Forbidden, "MissingAuthenticationTokenException", "Missing Authentication Token");
        using var list = await SendAsync(HttpMethod.Get, "/schedules");
        Assert.Empty((await JsonAsync(list)).GetProperty("Schedules").EnumerateArray());
    }

    [Fact]
    public async Task WrongSecret_OtherService_OrTamperedQuery_AreRefused()
    {
        using var wrongSecret = await SendAsync(HttpMethod.Get, "/schedules", secret: "wrong");
        await AssertErrorAsync(wrongSecret, HttpStatusCode.Forbidden, "InvalidSignatureException", "The request signature we calculated does not match");

        using var ecsScope = await SendAsync(HttpMethod.Get, "/schedules", service: "ecs");
        await AssertErrorAsync(ecsScope, HttpStatusCode.Forbidden, "InvalidSignatureException", "expected eu-west-1/scheduler");

        using var tampered = await SendAsync(HttpMethod.Get, "/schedules", query: "NamePrefix=a", sendQuery: "NamePrefix=b");
        await AssertErrorAsync(tampered, HttpStatusCode.Forbidden, "InvalidSignatureException", "The request signature we calculated does not match");

        using var tamperedBody = await SendAsync(HttpMethod.Post, "/schedules/x", Body(), sendBody: Body("rate(1 minute)"));
        await AssertErrorAsync(tamperedBody, HttpStatusCode.Forbidden, "InvalidSignatureException", "The request signature we calculated does not match");
    }

    [Fact]
    public async Task ReadOnlyKey_MayGetAndList_ButNotCreateOrDelete()
    {
        var key = ((Orchestrator.ControlPlane.Security.AccessKeyStore)_host!.Services.GetService(typeof(Orchestrator.ControlPlane.Security.AccessKeyStore))!).Create(readOnly: true, "scheduler test");
        using (await SendAsync(HttpMethod.Post, "/schedules/kept", Body()))
        using (var listed = await SendAsync(HttpMethod.Get, "/schedules", secret: key.Secret, keyId: key.Id))
        {
            Assert.Single((await JsonAsync(listed)).GetProperty("Schedules").EnumerateArray());
        }

        using var created = await SendAsync(HttpMethod.Post, "/schedules/new", Body(), secret: key.Secret, keyId: key.Id);
        await AssertErrorAsync(created, HttpStatusCode.Forbidden, "AccessDeniedException", "is not authorized to perform: scheduler:CreateSchedule");
        using var deleted = await SendAsync(HttpMethod.Delete, "/schedules/kept", secret: key.Secret, keyId: key.Id);
        await AssertErrorAsync(deleted, HttpStatusCode.Forbidden, "AccessDeniedException", "scheduler:DeleteSchedule");
        using var got = await SendAsync(HttpMethod.Get, "/schedules/kept", secret: key.Secret, keyId: key.Id);
        Assert.Equal(HttpStatusCode.OK, got.StatusCode);
    }

    [Theory]
    [InlineData("rate(1 minutes)", "", "Invalid Schedule Expression rate(1 minutes): rate(1 …) takes a singular unit")]
    [InlineData("cron(0 2 * * * *)", "", "one of day-of-month and day-of-week must be '?'")]
    [InlineData("at(tomorrow)", "", "at() takes a date and time")]
    [InlineData("rate(5 minutes)", ", \"Input\": \"{not json\"", "Target.Input is not valid JSON")]
    public async Task Malformed_IsAValidationException(string expression, string input, string message)
    {
        using var response = await SendAsync(HttpMethod.Post, "/schedules/bad", Body(expression, input));

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "ValidationException", message);
    }

    [Theory]
    [InlineData("{\"ScheduleExpression\": ", "not valid JSON")]
    [InlineData("[1, 2]", "must be a JSON object")]
    [InlineData("{\"Surprise\": 1}", "unknown member 'Surprise'")]
    [InlineData("{\"StartDate\": \"soon\"}", "not valid JSON of the expected shape")]
    public async Task MalformedBody_IsAValidationException_NotA500(string body, string message)
    {
        using var response = await SendAsync(HttpMethod.Post, "/schedules/bad", body);

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "ValidationException", message);
    }

    [Fact]
    public async Task Conflict_OtherGroup_AndForeignCluster_AreRefusedClearly()
    {
        using (await SendAsync(HttpMethod.Post, "/schedules/dup", Body()))
        using (var again = await SendAsync(HttpMethod.Post, "/schedules/dup", Body()))
        {
            await AssertErrorAsync(again, HttpStatusCode.Conflict, "ConflictException", "Schedule dup already exists.");
        }

        using (var group = await SendAsync(HttpMethod.Post, "/schedules/g", Body().Replace("{\"ScheduleExpression\"", "{\"GroupName\": \"team\", \"ScheduleExpression\"", StringComparison.Ordinal)))
        {
            await AssertErrorAsync(group, HttpStatusCode.NotFound, "ResourceNotFoundException", "Schedule group team does not exist");
        }

        using var foreign = await SendAsync(HttpMethod.Post, "/schedules/f", Body().Replace("eu-west-1", "us-east-1", StringComparison.Ordinal));
        await AssertErrorAsync(foreign, HttpStatusCode.BadRequest, "ValidationException", "must be a cluster of this control plane");
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? body = null, string query = "",
        string secret = EcsHttpTestHost.Secret, string service = "scheduler", string? sendQuery = null, string? sendBody = null,
        string keyId = EcsHttpTestHost.KeyId)
    {
        var amzDate = DateTimeOffset.UtcNow.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var sent = sendQuery ?? query;
        using var request = new HttpRequestMessage(method, $"http://localhost{path}{(sent.Length > 0 ? "?" + sent : "")}");
        if ((sendBody ?? body) is { } content)
        {
            request.Content = new StringContent(content, Encoding.UTF8);
            request.Content.Headers.ContentType = new("application/json");
        }

        request.Headers.Add("X-Amz-Date", amzDate);
        var headers = new Dictionary<string, string> { ["host"] = "localhost", ["x-amz-date"] = amzDate };
        var authorization = new SigV4.Authorization(keyId, amzDate[..8], "eu-west-1", service, [.. headers.Keys], "");
        var payload = SigV4.Hex(SHA256.HashData(Encoding.UTF8.GetBytes(body ?? "")));
        var canonical = SigV4.CanonicalRequest(method.Method, path, authorization.SignedHeaders, name => headers[name], payload, SigV4.CanonicalQuery(query));
        var signature = SigV4.Signature(secret, authorization, SigV4.StringToSign(amzDate, authorization.Scope, canonical));
        request.Headers.TryAddWithoutValidation("Authorization",
            $"AWS4-HMAC-SHA256 Credential={keyId}/{authorization.Scope}, SignedHeaders={string.Join(';', authorization.SignedHeaders)}, Signature={signature}");
        return await _host!.Client.SendAsync(request, Token);
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(Token);
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string type, string message)
    {
        var text = await response.Content.ReadAsStringAsync(Token);
        Assert.True(status == response.StatusCode, $"{response.StatusCode}: {text}");
        Assert.Equal(type, response.Headers.GetValues("x-amzn-ErrorType").Single());
        Assert.Contains(message, JsonDocument.Parse(text).RootElement.GetProperty("Message").GetString(), StringComparison.Ordinal);
    }
}
