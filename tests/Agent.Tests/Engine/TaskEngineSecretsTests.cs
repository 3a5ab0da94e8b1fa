using System.Text;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Engine;
using Orchestrator.Agent.Session;
using Orchestrator.Agent.State;
using Orchestrator.Agent.Tests.Support;
using Orchestrator.Ecs.Model;
using static Orchestrator.Agent.Tests.Support.TaskDefinitions;

namespace Orchestrator.Agent.Tests.Engine;

/// <summary>
/// Secrets on the agent: from the wire to the container's environment, in memory only — never in the agent's store
/// (every file of its data directory, the SQLite WAL included). After a restart a running container is adopted as it
/// is; a container that still has to be made fails the task, since the values are gone.
/// </summary>
public sealed class TaskEngineSecretsTests : IAsyncLifetime
{
    private const string Value = "agent-secret-6f1e0c2b-in-memory-only";
    private readonly EngineHarness _harness = new(options: new AgentOptions { StopTimeout = TimeSpan.FromSeconds(12) });

    public async ValueTask InitializeAsync()
    {
        _harness.Fake.Images["local/busybox:1"] = "sha256:present";
        await _harness.StartAsync();
    }

    public ValueTask DisposeAsync() => _harness.DisposeAsync();

    private static TaskDefinition WithSecret() =>
        Definition(Container("web") with { Environment = [new("PLAIN", "p")], Secrets = [new Secret("DB_PASSWORD", "db-pass")] });

    private static RunTaskCommand FromWire(TaskDefinition definition)
    {
        var wire = WireRunTask(definition);
        wire.Secrets.Add(new Contracts.Agent.SecretValue { ContainerName = "web", Name = "DB_PASSWORD", Value = Value });
        return WireMapping.ToCommand(wire);
    }

    [Fact]
    public async Task Secret_BecomesAnEnvironmentVariable_AndNeverReachesTheStore_AndARunningContainerIsAdoptedAfterARestart()
    {
        var command = FromWire(WithSecret());
        Assert.DoesNotContain(Value, command.ToString(), StringComparison.Ordinal);

        _harness.Engine.RunTask(command);
        await _harness.Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Running);

        var spec = Assert.Single(_harness.Fake.Created);
        Assert.Equal(["PLAIN=p", $"DB_PASSWORD={Value}"], spec.Environment);
        var bytes = Encoding.UTF8.GetBytes(Value);
        var files = Directory.GetFiles(_harness.DataDir, "*", SearchOption.AllDirectories);
        Assert.Contains(files, f => f.EndsWith("-wal", StringComparison.Ordinal));
        foreach (var file in files)
        {
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy, TestContext.Current.CancellationToken);
            Assert.False(copy.ToArray().AsSpan().IndexOf(bytes) >= 0, $"the secret value is in {file}");
        }

        await _harness.RestartAsync();
        _harness.Fake.Exit(_harness.Fake.IdOf("web"), exitCode: 0);
        var stopped = await _harness.Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Stopped);
        Assert.Single(_harness.Fake.Created); // adopted, not made again
        Assert.Equal(0, stopped.Containers[0].ExitCode);
    }

    [Fact]
    public async Task AfterARestart_AContainerStillToBeMade_FailsTheTask_ForItsSecretsAreGone()
    {
        var definition = WithSecret();
        var command = RunTask(definition);
        _harness.Store.SaveTask(new StoredTask
        {
            TaskArn = command.TaskArn,
            ClusterArn = command.ClusterArn,
            TaskDefinitionJson = command.TaskDefinitionJson,
            ReceivedAt = _harness.Time.GetUtcNow(),
            Containers = [new ContainerRecord { Name = "web" }],
        });

        await _harness.RestartAsync();

        var task = await _harness.Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Stopped);
        Assert.Empty(_harness.Fake.Created);
        Assert.StartsWith("ResourceInitializationError:", task.StoppedReason, StringComparison.Ordinal);
        Assert.Contains("secrets", task.StoppedReason, StringComparison.Ordinal);
    }

    private const string Password = "registry-password-3b9d-in-memory-only";

    private static TaskDefinition FromPrivateRegistry() =>
        Definition(Container("web") with
        {
            Image = "registry.test:5000/team/app:1",
            RepositoryCredentials = new RepositoryCredentials { CredentialsParameter = "registry-login" },
        });

    [Fact]
    public async Task RegistryLogin_GoesWithThePullOfItsContainerOnly_AndNeverReachesTheStore()
    {
        var definition = FromPrivateRegistry() with
        {
            ContainerDefinitions = [.. FromPrivateRegistry().ContainerDefinitions, Container("side") with { Image = "public.test/side:1" }],
        };
        var wire = WireRunTask(definition);
        wire.RegistryCredentials.Add(new Contracts.Agent.RegistryCredentials { ContainerName = "web", Username = "puller", Password = Password });
        var command = WireMapping.ToCommand(wire);
        Assert.DoesNotContain(Password, command.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Password, command.RegistryLogins[0].ToString(), StringComparison.Ordinal);

        _harness.Engine.RunTask(command);
        await _harness.Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Running);

        var pulls = _harness.Fake.PullLogins.ToDictionary(p => p.Image, p => p.Auth);
        Assert.Equal(new Orchestrator.Agent.Docker.RegistryAuth("puller", Password), pulls["registry.test:5000/team/app:1"]);
        Assert.Null(pulls["public.test/side:1"]);
        var bytes = Encoding.UTF8.GetBytes(Password);
        foreach (var file in Directory.GetFiles(_harness.DataDir, "*", SearchOption.AllDirectories))
        {
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy, TestContext.Current.CancellationToken);
            Assert.False(copy.ToArray().AsSpan().IndexOf(bytes) >= 0, $"the registry password is in {file}");
        }
    }

    [Fact]
    public async Task AfterARestart_APullThatNeedsALogin_FailsTheTask_ForTheLoginIsGone()
    {
        var command = RunTask(FromPrivateRegistry());
        _harness.Store.SaveTask(new StoredTask
        {
            TaskArn = command.TaskArn,
            ClusterArn = command.ClusterArn,
            TaskDefinitionJson = command.TaskDefinitionJson,
            ReceivedAt = _harness.Time.GetUtcNow(),
            Containers = [new ContainerRecord { Name = "web" }],
        });

        await _harness.RestartAsync();

        var task = await _harness.Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Stopped);
        Assert.Empty(_harness.Fake.Pulls);
        Assert.StartsWith("ResourceInitializationError: unable to pull secrets or registry auth", task.StoppedReason, StringComparison.Ordinal);
    }
}
