namespace Orchestrator.Agent;

/// <summary>
/// Exponential back-off with jitter, bounded: each delay is the previous one times <c>multiplier</c>, up to
/// <c>max</c>, moved randomly by up to ± <c>jitter</c> of itself (never above <c>max</c>). Not thread-safe.
/// </summary>
public sealed class Backoff
{
    private readonly TimeSpan _initial;
    private readonly TimeSpan _max;
    private readonly double _multiplier;
    private readonly double _jitter;
    private readonly Random _random;
    private TimeSpan _current;

    public Backoff(TimeSpan initial, TimeSpan max, double multiplier, double jitter, Random? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(initial, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, initial);
        ArgumentOutOfRangeException.ThrowIfLessThan(multiplier, 1.0);
        ArgumentOutOfRangeException.ThrowIfNegative(jitter);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(jitter, 1.0);
        _initial = initial;
        _max = max;
        _multiplier = multiplier;
        _jitter = jitter;
        _random = random ?? Random.Shared;
        _current = initial;
    }

    public TimeSpan Next()
    {
        var delay = _current;
        _current = TimeSpan.FromTicks((long)Math.Min(_max.Ticks, _current.Ticks * _multiplier));
        var factor = 1.0 + (_jitter * ((2.0 * _random.NextDouble()) - 1.0));
        return TimeSpan.FromTicks(Math.Min(_max.Ticks, (long)(delay.Ticks * factor)));
    }

    public void Reset() => _current = _initial;
}
