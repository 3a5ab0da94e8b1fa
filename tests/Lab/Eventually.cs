namespace Orchestrator.Lab;

/// <summary>Retries an assertion until it holds or the time is up, then fails with the last failure.</summary>
public static class Eventually
{
    /// <param name="interval">The pause between attempts: longer when an attempt is costly (each `orch` call starts a process).</param>
    public static async Task Async(Func<Task> assertion, TimeSpan within, Func<string>? diagnostics = null, TimeSpan? interval = null)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            try
            {
                await assertion();
                return;
            }
            catch (Exception e) when (DateTime.UtcNow < deadline && IsRetryable(e))
            {
                await Task.Delay(interval ?? TimeSpan.FromMilliseconds(200), TestContext.Current.CancellationToken);
            }
            catch (Exception e) when (IsRetryable(e))
            {
                throw new Xunit.Sdk.XunitException($"Still failing after {within}: {e.Message}\n{diagnostics?.Invoke()}");
            }
        }
    }

    /// <summary>Anything but the test's own cancellation: a request that timed out (an HttpClient timeout) is tried again.</summary>
    private static bool IsRetryable(Exception e) =>
        e is not OperationCanceledException || !TestContext.Current.CancellationToken.IsCancellationRequested;
}
