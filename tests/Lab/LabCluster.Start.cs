using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Docker.DotNet;

namespace Orchestrator.Lab;

/// <summary>How a lab comes up.</summary>
public sealed partial class LabCluster
{
    private async Task StartCoreAsync()
    {
        var phases = Stopwatch.StartNew();
        using (await LabLock.AcquireAsync(TimeSpan.FromSeconds(60), CancellationToken.None))
        {
            var swept = LabSweeper.SweepAbandoned();
            if (swept.Count > 0)
            {
                Report($"swept what earlier runs left: {string.Join(", ", swept)}");
            }

            var taken = LabInventory.Find().Select(r => r.Id).ToHashSet();
            while (taken.Contains(Id))
            {
                Id = LabId.New();
            }

            Directory.CreateDirectory(Id.Directory);
            LabOwner.Write(Id);
            LabRegistry.Add(this);
            Network = await LabNetwork.CreateAsync(Id);
        }

        var network = phases.Elapsed;
        GrpcPort = FreePort(Network.Gateway);
        HttpPort = FreePort(IPAddress.Loopback);
        for (var index = 1; index <= _options.Hosts; index++)
        {
            _hosts.Add(new LabHost(Id, Network, index, _options, () =>
            [
                .. JoinArguments,
                "--cluster", ClusterName,
                $"--Agent:HeartbeatInterval={_options.AgentHeartbeatInterval.ToString("c", CultureInfo.InvariantCulture)}",
                .. _options.AgentArguments,
            ]));
        }

        // The control plane and the hosts' engines come up side by side; the agents need both.
        var controlPlane = Task.Run(async () =>
        {
            await StartControlPlaneAsync();
            (await OrchAsync("cluster", "create", ClusterName)).EnsureSuccess();
            JoinArguments = await Cli.JoinArgumentsAsync(ClusterName, Path.Combine(ControlPlaneDataDir, "pki", "ca.crt"), maxRegistrations: 4 * _options.Hosts);
        });
        var engines = Task.Run(async () =>
        {
            // No images at all: the hosts' engines start empty (a test that brings its own, e.g. from a bundle).
            var archive = _options.Images.Count == 0 ? null : await SaveImagesAsync();
            await Task.WhenAll(_hosts.Select(async host =>
            {
                await host.CreateNetworkAsync();
                await host.StartContainerdAsync();
                await host.StartDockerdAsync();
                if (archive is not null)
                {
                    await host.LoadImagesAsync(archive);
                }
            }));
        });
        await Task.WhenAll(controlPlane, engines);
        var ready = phases.Elapsed;
        if (!_options.StartAgents)
        {
            Report($"lab {Id}: network {network.TotalSeconds:0.0} s, control plane and engines {ready.TotalSeconds:0.0} s, no agents started");
            return;
        }

        foreach (var host in _hosts)
        {
            host.StartAgent();
        }

        await Eventually.Async(async () =>
        {
            var instances = await InstancesAsync();
            foreach (var host in _hosts)
            {
                var instance = instances.SingleOrDefault(i => HostNameOf(i) == host.Name);
                Assert.True(instance is { AgentConnected: true }, $"the agent of {host} is not connected yet");
            }
        }, TimeSpan.FromSeconds(60), Diagnostics, CliPollInterval);
        Report($"lab {Id}: network {network.TotalSeconds:0.0} s, control plane and engines {ready.TotalSeconds:0.0} s, "
            + $"agents connected {phases.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>Saves the lab's images from the root engine once; every host loads the archive.</summary>
    private async Task<string> SaveImagesAsync()
    {
        var archive = Path.Combine(Id.Directory, "images.tar");
        using var source = new DockerClientBuilder().WithEndpoint(_options.SourceDockerHost).WithTimeout(TimeSpan.FromSeconds(120)).Build();
        foreach (var image in _options.Images)
        {
            try
            {
                await source.Images.InspectImageAsync(image);
            }
            catch (DockerImageNotFoundException)
            {
                throw new InvalidOperationException($"The image {image} is not in {_options.SourceDockerHost}; build it with scripts/build-test-images.sh.");
            }
        }

        await using (var stream = await source.Images.SaveImagesAsync([.. _options.Images]))
        await using (var file = File.Create(archive))
        {
            await stream.CopyToAsync(file);
        }

        return archive;
    }

    private static int FreePort(IPAddress address)
    {
        using var listener = new TcpListener(address, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
