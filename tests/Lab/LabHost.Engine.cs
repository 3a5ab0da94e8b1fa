using Docker.DotNet.Models;

namespace Orchestrator.Lab;

/// <summary>The host's container engine: its own containerd and dockerd, images, macvlan networks.</summary>
public sealed partial class LabHost
{
    /// <summary>
    /// Starts this host's containerd inside its namespace. dockerd 20.10 uses /run/containerd/containerd.sock when that
    /// exists (a system containerd) instead of starting its own, which would make every lab host share one containerd;
    /// so each host gets one of its own, named to dockerd with --containerd.
    /// </summary>
    internal async Task StartContainerdAsync()
    {
        var config = Path.Combine(Directory, "containerd.toml");
        await File.WriteAllTextAsync(config, $$"""
            version = 2
            root = "{{Path.Combine(Directory, "containerd")}}"
            state = "{{Path.Combine(Directory, "run", "containerd", "state")}}"
            disabled_plugins = ["io.containerd.grpc.v1.cri"]

            [grpc]
              address = "{{ContainerdSocket}}"

            [debug]
              address = ""
            """);
        Containerd = Namespace.Start($"containerd-{Name}", "containerd", ["--config", config]);
        var deadline = DateTime.UtcNow + DockerdStartTimeout;
        while (!File.Exists(ContainerdSocket))
        {
            if (Containerd.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"containerd of {Name} did not come up:\n{Containerd.OutputTail(40)}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Starts this host's dockerd inside its namespace (on the same data root as before, if any) and waits until it answers.</summary>
    public async Task StartDockerdAsync()
    {
        if (Dockerd is { HasExited: false })
        {
            throw new InvalidOperationException($"dockerd of {Name} is already running.");
        }

        var config = Path.Combine(Directory, "daemon.json");
        // A configuration of its own (/etc/docker/daemon.json is the root engine's and may name sockets or pid files),
        // and a key of its own: the engine ID comes from it, and /etc/docker/key.json would make every host the same engine.
        await File.WriteAllTextAsync(config, $$"""{ "deprecated-key-path": "{{Path.Combine(Directory, "key.json")}}" }""" + "\n");
        Dockerd = Namespace.Start($"dockerd-{Name}", "dockerd",
        [
            "--config-file", config,
            "--data-root", Path.Combine(Directory, "docker"),
            "--exec-root", Path.Combine(Directory, "run"),
            "--host", DockerHost.ToString(),
            "--pidfile", Path.Combine(Directory, "docker.pid"),
            "--containerd", ContainerdSocket,
            "--exec-opt", "native.cgroupdriver=cgroupfs",
            "--cgroup-parent", _id.CgroupParent(Name),
            .. _options.DockerdArguments,
        ]);
        await WaitForDockerdAsync();
    }

    /// <summary>
    /// Stops this host's dockerd: SIGTERM and wait (dockerd stops the containers first, each within its stop timeout),
    /// or with <paramref name="hard"/> SIGKILL, as a crash would. containerd and the containers' shims keep running.
    /// </summary>
    public async Task StopDockerdAsync(bool hard = false)
    {
        if (Dockerd is null)
        {
            return;
        }

        if (hard)
        {
            Dockerd.KillHard();
        }
        else
        {
            await Dockerd.TryStopAsync(DockerdStopTimeout);
        }
    }

    /// <summary>Stops dockerd (<see cref="StopDockerdAsync"/>) and starts it again on the same data root.</summary>
    public async Task RestartDockerdAsync(bool hard = false)
    {
        await StopDockerdAsync(hard);
        await StartDockerdAsync();
    }

    /// <summary>Runs the docker CLI against this host's dockerd (<c>docker -H unix://…</c>).</summary>
    public Task<CommandResult> DockerAsync(params string[] arguments) =>
        Commands.RunAsync("docker", ["-H", DockerHost.ToString(), .. arguments], TimeSpan.FromSeconds(120));

    /// <summary>
    /// Creates a macvlan network on this host's eth0 with the lab's subnet: a container on it gets its own lab address
    /// from <see cref="MacvlanRange"/>, reachable from the other hosts and the root namespace (not from this host itself:
    /// macvlan does not talk to its parent). Returns the network's ID.
    /// </summary>
    public async Task<string> CreateMacvlanNetworkAsync(string name)
    {
        var response = await Docker.Networks.CreateNetworkAsync(new NetworksCreateParameters
        {
            Name = name,
            Driver = "macvlan",
            Options = new Dictionary<string, string> { ["parent"] = "eth0" },
            IPAM = new IPAM
            {
                Config = [new IPAMConfig { Subnet = _network.Subnet, Gateway = _network.Gateway.ToString(), IPRange = MacvlanRange }],
            },
        });
        return response.ID;
    }

    internal async Task LoadImagesAsync(string archive)
    {
        await using var stream = File.OpenRead(archive);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await Docker.Images.LoadImageAsync(new ImageLoadParameters { Quiet = true }, stream, new Progress<JSONMessage>(), timeout.Token);
        foreach (var image in _options.Images)
        {
            await Docker.Images.InspectImageAsync(image, timeout.Token);
        }
    }

    private async Task WaitForDockerdAsync()
    {
        var deadline = DateTime.UtcNow + DockerdStartTimeout;
        while (true)
        {
            if (Dockerd!.HasExited)
            {
                throw new InvalidOperationException($"dockerd of {Name} exited with {Dockerd.ExitCode}:\n{Dockerd.OutputTail(40)}");
            }

            try
            {
                using var attempt = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await Docker.System.PingAsync(attempt.Token);
                return;
            }
            catch (Exception e) when (DateTime.UtcNow < deadline && e is not OutOfMemoryException)
            {
                await Task.Delay(100);
            }
        }
    }
}
