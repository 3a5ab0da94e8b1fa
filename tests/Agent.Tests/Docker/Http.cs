namespace Orchestrator.Agent.Tests.Docker;

internal static class Http
{
    /// <summary>GETs a loopback URL, retrying for up to 30 s while the server in the container is still starting.</summary>
    public static async Task<string> GetWithRetryAsync(string url)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        Exception? last = null;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30); // a loaded machine starts containers slowly
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                return await client.GetStringAsync(new Uri(url), TestContext.Current.CancellationToken);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !TestContext.Current.CancellationToken.IsCancellationRequested)
            {
                last = e;
                await Task.Delay(100, TestContext.Current.CancellationToken);
            }
        }

        throw new InvalidOperationException($"GET {url} never answered: {last?.Message}", last);
    }
}
