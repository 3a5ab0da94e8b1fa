using System.Diagnostics;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Agent.Docker;

namespace Orchestrator.Agent.Tests.Docker;

/// <summary>
/// The local Docker engine for integration tests. Every container and volume the tests create carries <c>orch.test=true</c>; leftovers
/// of a crashed run are removed at start and everything is removed at the end.
/// </summary>
public sealed class DockerFixture : IAsyncLifetime
{
    public const string TestLabel = "orch.test";
    public const string Image = "local/busybox:1";

    public static readonly Uri Endpoint = new("unix:///var/run/docker.sock");

    public DockerClient Client { get; } = new DockerClientBuilder().WithEndpoint(Endpoint).Build();

    public DockerDriver Driver { get; } = new(Endpoint, NullLogger<DockerDriver>.Instance);

    /// <summary>A driver that labels every container it creates for this test class, so it can be cleaned up.</summary>
    public TestLabellingDriver LabelledDriver() => new(Driver, Guid.NewGuid().ToString("N"));

    public async ValueTask InitializeAsync()
    {
        try
        {
            await Client.System.PingAsync(TestContext.Current.CancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or System.Net.Sockets.SocketException or DockerApiException)
        {
            throw new InvalidOperationException($"Docker is not reachable at {Endpoint} ({e.Message}); start dockerd for the integration tests.", e);
        }

        await RemoveContainersAsync($"{TestLabel}=true");
        await EnsureImageAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await RemoveContainersAsync($"{TestLabel}=true");
        Driver.Dispose();
        Client.Dispose();
    }

    public async Task RemoveContainersAsync(string label)
    {
        var containers = await Client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [label] = true } },
        }, CancellationToken.None);
        foreach (var container in containers)
        {
            await Driver.RemoveContainerAsync(container.ID, CancellationToken.None);
        }

        // Then the volumes they held (created through TestLabellingDriver, so labelled the same way).
        var volumes = await Client.Volumes.ListAsync(new VolumesListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [label] = true } },
        }, CancellationToken.None);
        foreach (var volume in volumes.Volumes ?? [])
        {
            await Driver.RemoveVolumeAsync(volume.Name, CancellationToken.None);
        }
    }

    public async Task<IList<ContainerListResponse>> ListContainersAsync(string label) =>
        await Client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [label] = true } },
        }, TestContext.Current.CancellationToken);

    /// <summary>The busybox image the tests run, imported from the host's busybox when it is missing (no registry is needed).</summary>
    private async Task EnsureImageAsync()
    {
        if (await Driver.InspectImageAsync(Image, TestContext.Current.CancellationToken) is not null)
        {
            return;
        }

        const string Script = """
            set -e
            d=$(mktemp -d)
            mkdir -p $d/bin $d/www
            cp /bin/busybox $d/bin/
            for a in $(/bin/busybox --list); do ln -sf busybox $d/bin/$a; done
            tar -C $d -c . | docker import -c 'ENV PATH=/bin' - local/busybox:1
            rm -rf $d
            """;
        using var process = Process.Start(new ProcessStartInfo("sh", ["-c", Script]) { RedirectStandardError = true })!;
        var error = await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"Could not create {Image} from /bin/busybox: {error}");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class DockerCollection : ICollectionFixture<DockerFixture>
{
    public const string Name = "Docker";
}
