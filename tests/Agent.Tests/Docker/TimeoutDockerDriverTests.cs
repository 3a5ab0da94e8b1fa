using System.Diagnostics.Metrics;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Docker;
using Orchestrator.Agent.Telemetry;
using Orchestrator.Agent.Tests.Support;

namespace Orchestrator.Agent.Tests.Docker;

/// <summary>Every Docker call has a deadline; one that passes is a named error, not a hang.</summary>
public sealed class TimeoutDockerDriverTests
{
    [Theory]
    [InlineData(240_000, "4m0s")]
    [InlineData(30_000, "30s")]
    [InlineData(7_200_000, "2h0m0s")]
    [InlineData(90_500, "1m30.5s")]
    [InlineData(300, "300ms")]
    public void GoDuration_AsTheEcsAgentPrintsIt(int milliseconds, string expected) =>
        Assert.Equal(expected, DockerTimeoutException.GoDuration(TimeSpan.FromMilliseconds(milliseconds)));

    [Fact]
    public async Task CreateContainer_DockerNeverAnswers_DockerTimeoutErrorAfterTheCreateTimeout()
    {
        var fake = new FakeDockerDriver();
        fake.HangingCreates["stuck:1"] = 0;
        var time = new FakeTimeProvider();
        var driver = new TimeoutDockerDriver(fake, new DockerTimeoutOptions(), time);

        var create = driver.CreateContainerAsync(new ContainerSpec { Name = "c", Image = "stuck:1", NetworkMode = "bridge" }, TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromMinutes(4) - TimeSpan.FromSeconds(1));
        Assert.False(create.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));

        var error = await Assert.ThrowsAsync<DockerTimeoutException>(() => create);
        Assert.Equal("Could not transition to created; timed out after waiting 4m0s", error.Message);
        Assert.Equal("DockerTimeoutError: Could not transition to created; timed out after waiting 4m0s", error.Reason);
        Assert.Equal(("created", TimeSpan.FromMinutes(4)), (error.Transition, error.Timeout));
    }

    [Fact]
    public async Task EveryCall_RecordsItsDurationByKindAndResult()
    {
        using var meters = new MeterFactory();
        var metrics = new AgentMetrics(meters);
        var recorded = new List<(double Seconds, string Kind, string Result)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == metrics.Meter && instrument.Name == "orch.docker.operation.duration")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            var all = tags.ToArray().ToDictionary(t => t.Key, t => (string)t.Value!);
            recorded.Add((value, all["kind"], all["result"]));
        });
        listener.Start();
        var fake = new FakeDockerDriver();
        fake.HangingCreates["stuck:1"] = 0;
        var time = new FakeTimeProvider();
        var driver = new TimeoutDockerDriver(fake, new DockerTimeoutOptions(), time, metrics);

        var id = await driver.CreateContainerAsync(new ContainerSpec { Name = "ok", Image = "fine:1", NetworkMode = "bridge" }, TestContext.Current.CancellationToken);
        await driver.StartContainerAsync(id, TestContext.Current.CancellationToken);
        var stuck = driver.CreateContainerAsync(new ContainerSpec { Name = "c", Image = "stuck:1", NetworkMode = "bridge" }, TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromMinutes(4));
        await Assert.ThrowsAsync<DockerTimeoutException>(() => stuck);

        Assert.Equal([("create", "ok"), ("start", "ok"), ("create", "timeout")], recorded.Select(r => (r.Kind, r.Result)));
        Assert.All(recorded, r => Assert.True(r.Seconds >= 0));
    }

    private sealed class MeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options);
            _meters.Add(meter);
            return meter;
        }

        public void Dispose() => _meters.ForEach(m => m.Dispose());
    }

    [Fact]
    public async Task StopContainer_DeadlineIsTheGracePeriodPlusTheBuffer()
    {
        var inner = new NeverAnswers();
        var time = new FakeTimeProvider();
        var driver = new TimeoutDockerDriver(inner, new DockerTimeoutOptions { StopBuffer = TimeSpan.FromSeconds(30) }, time);

        var stop = driver.StopContainerAsync("id", TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromSeconds(39));
        Assert.False(stop.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal("Could not transition to stopped; timed out after waiting 40s", (await Assert.ThrowsAsync<DockerTimeoutException>(() => stop)).Message);
    }

    [Fact]
    public async Task Call_CallerCancels_StaysACancellation()
    {
        using var cancel = new CancellationTokenSource();
        var driver = new TimeoutDockerDriver(new NeverAnswers(), new DockerTimeoutOptions(), new FakeTimeProvider());

        var start = driver.StartContainerAsync("id", cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => start);
    }

    /// <summary>A Docker whose stop and start never answer and ignore cancellation too.</summary>
    private sealed class NeverAnswers : IDockerDriver
    {
        private static readonly TaskCompletionSource Never = new();

        public Task StopContainerAsync(string containerId, TimeSpan timeout, CancellationToken cancellationToken) => Never.Task;

        public Task StartContainerAsync(string containerId, CancellationToken cancellationToken) => Never.Task;

        public Task<DockerHostInfo> GetHostInfoAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task PingAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<string?> InspectImageAsync(string image, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task PullImageAsync(string image, RegistryAuth? auth, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<string> CreateContainerAsync(ContainerSpec spec, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<ContainerInspection?> InspectContainerAsync(string containerIdOrName, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<IReadOnlyList<LabelledContainer>> ListContainersAsync(string label, string value, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task RemoveContainerAsync(string containerId, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<bool> VolumeExistsAsync(string name, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task CreateVolumeAsync(VolumeSpec spec, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task RemoveVolumeAsync(string name, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task LoadImagesAsync(Stream archive, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<NetworkInspection?> InspectNetworkAsync(string name, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task CreateNetworkAsync(NetworkSpec spec, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task RemoveNetworkAsync(string name, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task ConnectNetworkAsync(string network, string containerId, CancellationToken cancellationToken) => throw new NotSupportedException();
        public IAsyncEnumerable<ContainerEvent> WatchContainerEventsAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
