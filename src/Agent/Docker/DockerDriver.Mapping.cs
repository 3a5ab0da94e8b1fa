using System.Globalization;
using System.Net;
using System.Text.Json;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Orchestrator.Agent.Docker;

/// <summary>Translation between the agent's shapes and Docker's API models and errors. Pure.</summary>
public sealed partial class DockerDriver
{
    /// <summary>The GPU driver of Docker's device requests (the NVIDIA container toolkit).</summary>
    public const string GpuDriver = "nvidia";

    internal static CreateContainerParameters ToCreateParameters(ContainerSpec spec)
    {
        var exposed = new Dictionary<string, EmptyStruct>();
        var bindings = new Dictionary<string, IList<PortBinding>>();
        foreach (var port in spec.Ports)
        {
            var key = string.Create(CultureInfo.InvariantCulture, $"{port.ContainerPort}/{port.Protocol}");
            exposed[key] = default;
            if (spec.PublishPorts)
            {
                if (!bindings.TryGetValue(key, out var list))
                {
                    bindings[key] = list = [];
                }

                list.Add(new PortBinding { HostPort = port.HostPort?.ToString(CultureInfo.InvariantCulture) ?? "" });
            }
        }

        return new CreateContainerParameters
        {
            Name = spec.Name,
            Image = spec.Image,
            Entrypoint = spec.EntryPoint?.ToList()!, // null: the image's own
            Cmd = spec.Command?.ToList()!,
            Env = spec.Environment.ToList(),
            Labels = new Dictionary<string, string>(spec.Labels),
            ExposedPorts = exposed.Count > 0 ? exposed : null!,
            User = spec.User!,
            WorkingDir = spec.WorkingDirectory!,
            Hostname = spec.Hostname!,
            NetworkingConfig = spec.Ipv4Address is { } address
                ? new NetworkingConfig
                {
                    EndpointsConfig = new Dictionary<string, EndpointSettings>
                    {
                        [spec.NetworkMode] = new EndpointSettings { IPAMConfig = new EndpointIPAMConfig { IPv4Address = address } },
                    },
                }
                : null!,
            Healthcheck = spec.HealthCheck is { } check
                ? new HealthcheckConfig
                {
                    Test = [.. check.Test],
                    Interval = check.Interval,
                    Timeout = check.Timeout,
                    Retries = check.Retries,
                    StartPeriod = check.StartPeriod,
                }
                : null!,
            HostConfig = new HostConfig
            {
                NetworkMode = spec.NetworkMode,
                PortBindings = bindings.Count > 0 ? bindings : null!,
                CPUShares = spec.CpuShares,
                Memory = spec.MemoryBytes,
                MemoryReservation = spec.MemoryReservationBytes,
                Binds = NullIfEmpty(spec.Binds)!,
                VolumesFrom = NullIfEmpty(spec.VolumesFrom)!,
                Links = NullIfEmpty(spec.Links)!,
                ExtraHosts = NullIfEmpty(spec.ExtraHosts)!,
                DNS = NullIfEmpty(spec.DnsServers)!,
                Ulimits = spec.Ulimits.Count > 0 ? [.. spec.Ulimits.Select(u => new Ulimit { Name = u.Name, Soft = u.Soft, Hard = u.Hard })] : null!,
                Privileged = spec.Privileged,
                ReadonlyRootfs = spec.ReadonlyRootfs,
                CapAdd = NullIfEmpty(spec.CapAdd)!,
                CapDrop = NullIfEmpty(spec.CapDrop)!,
                Init = spec.Init,
                ShmSize = spec.ShmSizeBytes,
                Tmpfs = spec.Tmpfs.Count > 0 ? new Dictionary<string, string>(spec.Tmpfs) : null!,
                LogConfig = spec.Log is { } log ? new LogConfig { Type = log.Driver, Config = new Dictionary<string, string>(log.Options) } : null!,
                DeviceRequests = spec.GpuIds.Count > 0
                    ? [new DeviceRequest { Driver = GpuDriver, DeviceIDs = [.. spec.GpuIds], Capabilities = [new List<string> { "gpu" }] }]
                    : null!,
            },
        };
    }

    internal static VolumesCreateParameters ToVolumeParameters(VolumeSpec spec) => new()
    {
        Name = spec.Name,
        Driver = spec.Driver,
        DriverOpts = new Dictionary<string, string>(spec.DriverOptions),
        Labels = new Dictionary<string, string>(spec.Labels),
    };

    private static List<string>? NullIfEmpty(IReadOnlyList<string> values) => values.Count > 0 ? [.. values] : null;

    internal static ContainerInspection ToInspection(ContainerInspectResponse response)
    {
        var state = response.State;
        var runState = state?.Status switch
        {
            "created" => ContainerRunState.Created,
            "running" or "paused" or "restarting" => ContainerRunState.Running,
            _ when state?.Running == true => ContainerRunState.Running,
            _ => ContainerRunState.Exited,
        };
        var bindings = new List<PortBindingInfo>();
        foreach (var (key, list) in response.NetworkSettings?.Ports ?? new Dictionary<string, IList<PortBinding>>())
        {
            var slash = key.IndexOf('/', StringComparison.Ordinal);
            if (list is null
                || !int.TryParse(slash < 0 ? key : key[..slash], NumberStyles.None, CultureInfo.InvariantCulture, out var containerPort))
            {
                continue;
            }

            var protocol = slash < 0 ? "tcp" : key[(slash + 1)..];
            foreach (var binding in list)
            {
                if (int.TryParse(binding.HostPort, NumberStyles.None, CultureInfo.InvariantCulture, out var hostPort))
                {
                    bindings.Add(new PortBindingInfo(string.IsNullOrEmpty(binding.HostIP) ? "0.0.0.0" : binding.HostIP, containerPort, hostPort, protocol));
                }
            }
        }

        return new ContainerInspection
        {
            Id = response.ID,
            State = runState,
            ExitCode = runState == ContainerRunState.Exited ? (int)(state?.ExitCode ?? 0) : null,
            OomKilled = state?.OOMKilled ?? false,
            Error = string.IsNullOrEmpty(state?.Error) ? null : state.Error,
            StartedAt = ParseTime(state?.StartedAt),
            FinishedAt = ParseTime(state?.FinishedAt),
            Health = string.IsNullOrEmpty(state?.Health?.Status) || state.Health.Status == "none" ? null : state.Health.Status,
            Bindings = bindings,
            Labels = response.Config?.Labels is { } labels ? new Dictionary<string, string>(labels) : new Dictionary<string, string>(),
            Networks = (response.NetworkSettings?.Networks ?? new Dictionary<string, EndpointSettings>())
                .Where(n => !string.IsNullOrEmpty(n.Value?.IPAddress))
                .ToDictionary(n => n.Key, n => new NetworkEndpointInfo(n.Value.IPAddress, n.Value.MacAddress ?? ""), StringComparer.Ordinal),
        };
    }

    internal static NetworksCreateParameters ToNetworkParameters(NetworkSpec spec) => new()
    {
        Name = spec.Name,
        Driver = spec.Driver,
        Options = new Dictionary<string, string>(spec.Options),
        Labels = new Dictionary<string, string>(spec.Labels),
        Internal = spec.Internal,
        IPAM = new IPAM
        {
            Driver = "default",
            Config = [.. spec.Subnets.Select(s => new IPAMConfig { Subnet = s.Cidr, Gateway = s.Gateway! })],
        },
    };

    internal static NetworkInspection ToNetworkInspection(NetworkResponse response) => new()
    {
        Id = response.ID,
        Driver = response.Driver ?? "",
        Options = response.Options is { } options ? new Dictionary<string, string>(options) : new Dictionary<string, string>(),
        Subnets = [.. (response.IPAM?.Config ?? []).Select(c => new NetworkSubnet(c.Subnet, string.IsNullOrEmpty(c.Gateway) ? null : c.Gateway))],
        Containers = response.Containers?.Count ?? 0,
    };

    private static DateTimeOffset? ParseTime(string? value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) && time.Year > 1
            ? time
            : null;

    /// <summary>Docker's message from an API error body (<c>{"message": "…"}</c>), else the exception's.</summary>
    internal static string MessageOf(DockerApiException exception)
    {
        try
        {
            using var document = JsonDocument.Parse(exception.ResponseBody ?? "");
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("message", out var message)
                && message.GetString() is { Length: > 0 } text)
            {
                return text;
            }
        }
        catch (JsonException)
        {
        }

        return exception.StatusCode == HttpStatusCode.NotFound && !string.IsNullOrWhiteSpace(exception.ResponseBody)
            ? exception.ResponseBody.Trim()
            : exception.Message;
    }
}
