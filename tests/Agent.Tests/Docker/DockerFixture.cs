using System.Diagnostics;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Agent.Docker;

namespace Orchestrator.Agent.Tests.Docker;

/// <summary>
/// The local Docker engine for integration tests. Every container and volume the tests create carries
/// <c>orch.test=true</c> and the test process's ID (<c>orch.test.pid</c>). Several test runs may share the engine (other
/// checkouts on the same machine), so a run removes only its own at the end, and at start only the leftovers of runs
/// that crashed: those whose process is gone, or, without a process label, that are more than an hour old.
/// </summary>
public sealed class DockerFixture : IAsyncLifetime
{
    public const string TestLabel = "orch.test";
    public const string PidLabel = "orch.test.pid";
    public const string Image = "local/busybox:1";

    private static readonly TimeSpan UnownedLeftoverAge = TimeSpan.FromHours(1);

    public static string Pid { get; } = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);

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

        await RemoveLeftoversAsync();
        await EnsureImageAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await RemoveContainersAsync($"{PidLabel}={Pid}");
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

    /// <summary>What crashed test runs left behind; never what a running test process (of any checkout) still uses.</summary>
    private async Task RemoveLeftoversAsync()
    {
        var containers = await Client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{TestLabel}=true"] = true } },
        }, CancellationToken.None);
        foreach (var container in containers.Where(c => IsLeftover(c.Labels, new DateTimeOffset(c.Created.ToUniversalTime()))))
        {
            await Driver.RemoveContainerAsync(container.ID, CancellationToken.None);
        }

        var volumes = await Client.Volumes.ListAsync(new VolumesListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{TestLabel}=true"] = true } },
        }, CancellationToken.None);
        foreach (var volume in (volumes.Volumes ?? []).Where(v => IsLeftover(v.Labels, DateTimeOffset.TryParse(v.CreatedAt, System.Globalization.CultureInfo.InvariantCulture, out var at) ? at : DateTimeOffset.MinValue)))
        {
            try
            {
                await Driver.RemoveVolumeAsync(volume.Name, CancellationToken.None);
            }
            catch (DockerOperationException)
            {
                // Still held by a container of a live run.
            }
        }
    }

    private static bool IsLeftover(IDictionary<string, string>? labels, DateTimeOffset createdAt) =>
        labels is not null && labels.TryGetValue(PidLabel, out var pid)
            ? !int.TryParse(pid, out var id) || !IsRunning(id)
            : DateTimeOffset.UtcNow - createdAt > UnownedLeftoverAge;

    private static bool IsRunning(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
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
