namespace Orchestrator.ControlPlane.Scheduling.Engine;

/// <summary>
/// A small seeded generator (SplitMix64) so that random placement is reproducible from the request's seed and
/// costs no allocation.
/// </summary>
internal struct SplitMix64(ulong seed)
{
    private ulong _state = seed;

    public ulong Next()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A value in [0, bound), by Lemire's multiply-shift (the bias is below 2^-32 for the bounds used here).</summary>
    public int NextBelow(int bound) => (int)(((Next() >> 32) * (ulong)bound) >> 32);
}
