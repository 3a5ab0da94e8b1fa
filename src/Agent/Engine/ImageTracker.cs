using System.Globalization;

namespace Orchestrator.Agent.Engine;

/// <summary>An image the agent pulled or first used for a task: when it first did, and when a task last used it.</summary>
public sealed record TrackedImage(string Image, DateTimeOffset FirstSeen, DateTimeOffset LastUsed);

/// <summary>
/// The images this agent is responsible for, as the ECS agent's image manager: each image it pulled (or took from the
/// cache) for a task, with when it was first seen and last used, and which known tasks use each — from the moment the
/// engine accepts a task (before its containers exist) until the task is cleaned up. Only tracked images are ever
/// considered by <see cref="ImageCleanupService"/>; an image in use by a known task never is. Kept in
/// <c>DATA-DIR/images.tsv</c> (image, first seen, last used), so a restarted agent still knows what it pulled.
/// Thread-safe: the engine's loop and its Docker operations write, the cleanup loop reads.
/// </summary>
public sealed class ImageTracker
{
    public const string FileName = "images.tsv";

    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly string? _file;
    private readonly Dictionary<string, TrackedImage> _images = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string[]> _tasks = new(StringComparer.Ordinal);

    /// <param name="dataDir">Where <see cref="FileName"/> is kept; null: in memory only.</param>
    public ImageTracker(TimeProvider time, string? dataDir = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _file = dataDir is null ? null : Path.Combine(dataDir, FileName);
        Load();
    }

    /// <summary>
    /// A task pulled the image or took it from the cache: tracked from now on, last used now. The file is written only
    /// when the image is new to it: a known image's use time matters once its task is gone (<see cref="TaskGone"/>
    /// writes it then), so a container start costs no file write.
    /// </summary>
    public void Used(string image)
    {
        if (!Trackable(image))
        {
            return;
        }

        var now = _time.GetUtcNow();
        lock (_lock)
        {
            var known = _images.TryGetValue(image, out var tracked);
            _images[image] = known ? tracked! with { LastUsed = now } : new TrackedImage(image, now, now);
            if (!known)
            {
                Save();
            }
        }
    }

    /// <summary>The engine knows the task (accepted, running or not yet cleaned up): its images are in use.</summary>
    public void TaskKnown(string taskArn, IEnumerable<string?> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        lock (_lock)
        {
            _tasks[taskArn] = [.. images.Where(i => !string.IsNullOrEmpty(i)).Select(i => i!).Distinct(StringComparer.Ordinal)];
        }
    }

    /// <summary>The task is gone (cleaned up): its images were last used now.</summary>
    public void TaskGone(string taskArn)
    {
        lock (_lock)
        {
            if (!_tasks.Remove(taskArn, out var images))
            {
                return;
            }

            var now = _time.GetUtcNow();
            var changed = false;
            foreach (var image in images)
            {
                if (_images.TryGetValue(image, out var known))
                {
                    _images[image] = known with { LastUsed = now };
                    changed = true;
                }
            }

            if (changed)
            {
                Save();
            }
        }
    }

    /// <summary>Whether a known task uses (or is about to use) the image.</summary>
    public bool InUse(string image)
    {
        lock (_lock)
        {
            return _tasks.Values.Any(images => images.Contains(image, StringComparer.Ordinal));
        }
    }

    /// <summary>Every image a known task uses or is about to use.</summary>
    public IReadOnlySet<string> ImagesInUse()
    {
        lock (_lock)
        {
            return _tasks.Values.SelectMany(i => i).ToHashSet(StringComparer.Ordinal);
        }
    }

    public IReadOnlyList<TrackedImage> Tracked()
    {
        lock (_lock)
        {
            return [.. _images.Values];
        }
    }

    /// <summary>Stops tracking an image (it was removed).</summary>
    public void Forget(string image)
    {
        lock (_lock)
        {
            if (_images.Remove(image))
            {
                Save();
            }
        }
    }

    private static bool Trackable(string? image) => !string.IsNullOrEmpty(image) && !image.Any(char.IsWhiteSpace);

    private void Load()
    {
        if (_file is null || !File.Exists(_file))
        {
            return;
        }

        foreach (var line in File.ReadLines(_file))
        {
            var parts = line.Split('\t');
            if (parts.Length == 3 && Trackable(parts[0])
                && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var first)
                && long.TryParse(parts[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var last))
            {
                _images[parts[0]] = new TrackedImage(parts[0], DateTimeOffset.FromUnixTimeMilliseconds(first), DateTimeOffset.FromUnixTimeMilliseconds(last));
            }
        }
    }

    /// <summary>Writes the file (under the lock): a new file renamed over the old, so a crash leaves one or the other.</summary>
    private void Save()
    {
        if (_file is null)
        {
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(_file)!);
        var temporary = _file + ".tmp";
        File.WriteAllLines(temporary, _images.Values.Select(i => string.Join('\t', i.Image,
            i.FirstSeen.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
            i.LastUsed.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture))));
        File.Move(temporary, _file, overwrite: true);
    }
}
