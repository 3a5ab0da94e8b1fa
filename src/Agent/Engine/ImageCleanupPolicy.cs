using Orchestrator.Agent.Docker;

namespace Orchestrator.Agent.Engine;

/// <summary>The rules of one image cleanup cycle (<see cref="ImageCleanupService"/>).</summary>
/// <param name="MinimumUnusedAge">How long an image must have gone unused (and been tracked) before it may be removed.</param>
/// <param name="MaxPerCycle">At most this many images removed a cycle.</param>
/// <param name="KeepPerRepository">The most recently used images of each repository that are always kept (in-use ones count).</param>
/// <param name="Exclusions">Never removed: an exact image (<c>repo:tag</c>) or a repository (every tag of it).</param>
public sealed record ImageCleanupPolicy(TimeSpan MinimumUnusedAge, int MaxPerCycle, int KeepPerRepository, IReadOnlyCollection<string> Exclusions)
{
    /// <summary>
    /// The images to remove now, oldest last use first: tracked, not used or about to be used by a known task, not
    /// excluded, unused for at least <see cref="MinimumUnusedAge"/>, not among the <see cref="KeepPerRepository"/>
    /// most recently used of their repository; at most <see cref="MaxPerCycle"/>.
    /// </summary>
    public IReadOnlyList<string> Select(IEnumerable<TrackedImage> tracked, IReadOnlySet<string> inUse, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(tracked);
        ArgumentNullException.ThrowIfNull(inUse);
        var images = tracked.ToList();
        // An image in use counts as used now when ranking its repository's images.
        DateTimeOffset Recency(TrackedImage i) => inUse.Contains(i.Image) ? DateTimeOffset.MaxValue : i.LastUsed;
        var kept = images
            .GroupBy(i => ImageReference.Split(i.Image).Repository, StringComparer.Ordinal)
            .SelectMany(g => g.OrderByDescending(Recency).ThenBy(i => i.Image, StringComparer.Ordinal).Take(Math.Max(0, KeepPerRepository)))
            .Select(i => i.Image)
            .ToHashSet(StringComparer.Ordinal);
        return [.. images
            .Where(i => !inUse.Contains(i.Image) && !kept.Contains(i.Image) && !Excluded(i.Image))
            .Where(i => now - i.LastUsed >= MinimumUnusedAge && now - i.FirstSeen >= MinimumUnusedAge)
            .OrderBy(i => i.LastUsed)
            .ThenBy(i => i.Image, StringComparer.Ordinal)
            .Take(Math.Max(0, MaxPerCycle))
            .Select(i => i.Image)];
    }

    public bool Excluded(string image) =>
        Exclusions.Contains(image, StringComparer.Ordinal) || Exclusions.Contains(ImageReference.Split(image).Repository, StringComparer.Ordinal);
}
