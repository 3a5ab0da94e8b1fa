using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Orchestrator.Benchmarks;

/// <summary>
/// ECS's wire protocol on the control plane's HTTP port: <c>POST /</c>, <c>X-Amz-Target</c>, AWS JSON 1.1, unsigned
/// (accepted on loopback when no access keys are configured).
/// </summary>
public sealed class EcsApiClient(Uri endpoint) : IDisposable
{
    private const string TargetPrefix = "AmazonEC2ContainerServiceV20141113.";
    private static readonly MediaTypeHeaderValue AmzJson = new("application/x-amz-json-1.1");

    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) })
    {
        BaseAddress = endpoint,
        Timeout = TimeSpan.FromSeconds(60),
    };

    /// <summary>Calls <paramref name="action"/>; the response document, or an exception carrying ECS's error.</summary>
    public async Task<JsonElement> CallAsync(string action, JsonObject request, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, "/")
        {
            Content = new StringContent(request.ToJsonString(), Encoding.UTF8),
        };
        message.Content.Headers.ContentType = AmzJson;
        message.Headers.Add("X-Amz-Target", TargetPrefix + action);
        using var response = await _http.SendAsync(message, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{action} answered {(int)response.StatusCode}: {body}");
        }

        using var document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }

    public void Dispose() => _http.Dispose();
}
