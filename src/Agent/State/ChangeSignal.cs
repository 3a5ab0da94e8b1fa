namespace Orchestrator.Agent.State;

/// <summary>
/// A broadcast "something changed" signal: every waiter that saw <see cref="Version"/> before a <see cref="Fire"/>
/// wakes up. Waiters re-read the state they care about, so a missed or merged signal loses nothing.
/// </summary>
public sealed class ChangeSignal
{
    private readonly Lock _gate = new();
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _version;

    public long Version
    {
        get
        {
            lock (_gate)
            {
                return _version;
            }
        }
    }

    public void Fire()
    {
        TaskCompletionSource fired;
        lock (_gate)
        {
            _version++;
            fired = _next;
            _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        fired.TrySetResult();
    }

    /// <summary>Completes once the version is past <paramref name="seenVersion"/>, or when <paramref name="timeout"/> has passed.</summary>
    public async Task WaitAsync(long seenVersion, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(time);
        Task next;
        lock (_gate)
        {
            if (_version != seenVersion)
            {
                return;
            }

            next = _next.Task;
        }

        if (timeout == Timeout.InfiniteTimeSpan)
        {
            await next.WaitAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        // Not next.WaitAsync(timeout): that throws a TimeoutException at every quiet timeout (each heartbeat of an idle
        // agent), and a thrown exception costs far more than the wait.
        using var stopDelay = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = Task.Delay(timeout > TimeSpan.Zero ? timeout : TimeSpan.Zero, time, stopDelay.Token);
        await Task.WhenAny(next, delay).ConfigureAwait(false);
        await stopDelay.CancelAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
    }
}
