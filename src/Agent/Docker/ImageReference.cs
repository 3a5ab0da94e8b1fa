namespace Orchestrator.Agent.Docker;

/// <summary>Splits an image reference into the repository and the tag or digest Docker's pull API wants.</summary>
public static class ImageReference
{
    /// <summary>
    /// <c>busybox</c> → (busybox, latest); <c>127.0.0.1:5999/a/b:1</c> → (127.0.0.1:5999/a/b, 1);
    /// <c>repo@sha256:…</c> → (repo, sha256:…).
    /// </summary>
    public static (string Repository, string Tag) Split(string image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var at = image.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            return (image[..at], image[(at + 1)..]);
        }

        var lastSlash = image.LastIndexOf('/');
        var colon = image.LastIndexOf(':');
        return colon > lastSlash ? (image[..colon], image[(colon + 1)..]) : (image, "latest");
    }
}
