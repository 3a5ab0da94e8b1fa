using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace Orchestrator.Agent.Stats;

/// <summary>
/// Docker's stats API, raw: <c>GET /containers/{id}/stats?stream=false&amp;one-shot=true</c>, the JSON kept as Docker
/// wrote it (the task metadata endpoint answers with it). Over the engine's unix socket or tcp:// address.
/// </summary>
public sealed class DockerStatsClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly HttpClient _streams;

    public DockerStatsClient(string dockerHost, TimeSpan timeout)
    {
        var uri = new Uri(dockerHost);
        if (uri.Scheme == "unix")
        {
            var path = uri.AbsolutePath;
            var handler = new SocketsHttpHandler
            {
                MaxConnectionsPerServer = int.MaxValue,
                ConnectCallback = async (_, cancellationToken) =>
                {
                    var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    try
                    {
                        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).ConfigureAwait(false);
                        return new NetworkStream(socket, ownsSocket: true);
                    }
                    catch
                    {
                        socket.Dispose();
                        throw;
                    }
                },
            };
            _http = new HttpClient(handler, disposeHandler: false) { BaseAddress = new Uri("http://docker/"), Timeout = timeout };
            _streams = new HttpClient(handler) { BaseAddress = new Uri("http://docker/"), Timeout = Timeout.InfiniteTimeSpan };
        }
        else
        {
            _http = new HttpClient { BaseAddress = new Uri($"http://{uri.Authority}/"), Timeout = timeout };
            _streams = new HttpClient { BaseAddress = new Uri($"http://{uri.Authority}/"), Timeout = Timeout.InfiniteTimeSpan };
        }
    }

    /// <summary>One sample of the container's stats; null when Docker does not have the container (any more).</summary>
    public async Task<JsonObject?> SampleAsync(string containerId, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(
            new Uri($"containers/{Uri.EscapeDataString(containerId)}/stats?stream=false&one-shot=true", UriKind.Relative),
            cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return JsonNode.Parse(body) as JsonObject;
    }

    /// <summary>Docker's stats stream of the container: a sample a second (with precpu_stats) until cancelled or it ends.</summary>
    public async IAsyncEnumerable<JsonObject> StreamAsync(string containerId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"containers/{Uri.EscapeDataString(containerId)}/stats?stream=true", UriKind.Relative));
        using var response = await _streams.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            yield break;
        }

        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false));
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.Length > 0 && JsonNode.Parse(line) is JsonObject sample)
            {
                yield return sample;
            }
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _streams.Dispose();
    }
}
