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

    /// <summary>
    /// The registry the image lives in, as Docker names it: the first path component when it is a host (has a dot or
    /// a port, or is <c>localhost</c>): <c>127.0.0.1:5000/a:1</c> → <c>127.0.0.1:5000</c>; Docker Hub otherwise.
    /// </summary>
    public static string Registry(string image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var slash = image.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0)
        {
            var first = image[..slash];
            if (first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost")
            {
                return first;
            }
        }

        return "https://index.docker.io/v1/";
    }
}
