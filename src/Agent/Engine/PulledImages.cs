namespace Orchestrator.Agent.Engine;

/// <summary>
/// The images this agent has pulled, for the <c>once</c> pull behaviour (<see cref="Docker.ImagePullBehavior.Once"/>):
/// kept in <c>DATA_DIR/pulled-images.txt</c>, one image reference a line, so that a restarted agent does not pull again
/// what it already pulled (as the ECS agent keeps it in its state file). Image references only: a registry login is
/// never part of one. In memory only without a data directory.
/// </summary>
public sealed class PulledImages
{
    public const string FileName = "pulled-images.txt";

    /// <summary>Past this many images the oldest half is forgotten (it is pulled again once, then remembered).</summary>
    public const int Capacity = 10_000;

    private readonly Lock _gate = new();
    private readonly List<string> _order = [];
    private readonly HashSet<string> _images = new(StringComparer.Ordinal);
    private readonly string? _file;

    public PulledImages(string? dataDir = null)
    {
        _file = dataDir is null ? null : Path.Combine(dataDir, FileName);
        if (_file is not null && File.Exists(_file))
        {
            foreach (var line in File.ReadLines(_file).Take(Capacity))
            {
                if (Valid(line) && _images.Add(line))
                {
                    _order.Add(line);
                }
            }
        }
    }

    public bool Contains(string image)
    {
        lock (_gate)
        {
            return _images.Contains(image);
        }
    }

    /// <summary>Remembers the image (and writes the file when it is new to it).</summary>
    public void Add(string image)
    {
        if (!Valid(image))
        {
            return;
        }

        lock (_gate)
        {
            if (!_images.Add(image))
            {
                return;
            }

            _order.Add(image);
            if (_order.Count > Capacity)
            {
                foreach (var old in _order.Take(Capacity / 2))
                {
                    _images.Remove(old);
                }

                _order.RemoveRange(0, Capacity / 2);
            }

            Save();
        }
    }

    private static bool Valid(string image) => image.Length is > 0 and <= 1000 && !image.Any(c => char.IsWhiteSpace(c) || char.IsControl(c));

    /// <summary>A new file renamed over the old, so a crash leaves one or the other.</summary>
    private void Save()
    {
        if (_file is null)
        {
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(_file)!);
        var temporary = _file + ".tmp";
        File.WriteAllLines(temporary, _order);
        File.Move(temporary, _file, overwrite: true);
    }
}
