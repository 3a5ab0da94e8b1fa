using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Docker;
using Orchestrator.Agent.Engine;

namespace Orchestrator.Agent.Tests.Docker;

/// <summary>
/// Image cleanup against the local Docker engine, on a fake clock: the cleanup loop removes an aged, unused, tracked
/// image and keeps the one a known task is about to use, the excluded one, the one the agent never tracked, and the
/// one a container still uses (Docker refuses; skipped). Every image here is a tag of the local test image made by
/// this test (<c>orch-cleanup-test-GUID-…:v1</c>), so only tags this test created are ever removed, and all are
/// removed at the end.
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class ImageCleanupDockerTests(DockerFixture docker) : IAsyncLifetime
{
    private readonly string _prefix = $"orch-cleanup-test-{Guid.NewGuid():N}";
    private readonly TestLabellingDriver _driver = docker.LabelledDriver();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private string Tag(string role) => $"{_prefix}-{role}:v1";

    private static readonly string[] Roles = ["aged", "inuse", "excluded", "untracked", "busy"];

    public async ValueTask InitializeAsync()
    {
        foreach (var role in Roles.Where(r => r != "busy"))
        {
            await docker.Client.Images.TagImageAsync(DockerFixture.Image, new ImageTagParameters { RepositoryName = $"{_prefix}-{role}", Tag = "v1" }, Token);
        }

        // The "busy" image must be an image of its own with one name: Docker removes a name that shares its image with
        // other names (untags it) even while a container uses the image, and refuses only the last name of an image in use.
        var scratch = await docker.Client.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = DockerFixture.Image,
            Name = $"{_prefix}-commit",
            Cmd = ["true"],
            Labels = new Dictionary<string, string> { [TestLabellingDriver.RunLabel] = _driver.RunSelector.Split('=')[1] },
        }, Token);
        await docker.Client.Images.CommitContainerChangesAsync(new CommitContainerChangesParameters
        {
            ContainerID = scratch.ID,
            RepositoryName = $"{_prefix}-busy",
            Tag = "v1",
        }, Token);
        await docker.Client.Containers.RemoveContainerAsync(scratch.ID, new ContainerRemoveParameters { Force = true }, Token);
    }

    public async ValueTask DisposeAsync()
    {
        await docker.RemoveContainersAsync(_driver.RunSelector);
        foreach (var role in Roles)
        {
            try
            {
                await docker.Client.Images.DeleteImageAsync(Tag(role), new ImageDeleteParameters { Force = false }, CancellationToken.None);
            }
            catch (DockerImageNotFoundException)
            {
            }
        }
    }

    [Fact]
    public async Task CleanupLoop_RemovesOnlyTheAgedUnusedTrackedImage()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var tracker = new ImageTracker(time);
        foreach (var role in new[] { "aged", "inuse", "excluded", "busy" })
        {
            tracker.Used(Tag(role));
        }

        tracker.TaskKnown("arn:aws:ecs:us-east-1:000000000000:task/test/accepted", [Tag("inuse")]);
        // A container this agent does not know uses the "busy" image: Docker refuses to remove it without force.
        await _driver.CreateContainerAsync(new Orchestrator.Agent.Docker.ContainerSpec
        {
            Name = $"{_prefix}-busy",
            Image = Tag("busy"),
            Command = ["true"],
            NetworkMode = "none",
            Labels = new Dictionary<string, string>(),
        }, Token);
        var options = new AgentOptions { ImageCleanupInterval = TimeSpan.FromMinutes(10), ImageCleanupExclusions = Tag("excluded") };
        using var service = new ImageCleanupService(
            tracker, docker.Driver, Microsoft.Extensions.Options.Options.Create(options), time, NullLogger<ImageCleanupService>.Instance);
        await service.StartAsync(Token);
        try
        {
            time.Advance(TimeSpan.FromHours(2));
            await Task.Delay(500, Token); // a cycle at 2 h ran or is running: nothing is old enough yet
            Assert.NotNull(await docker.Driver.InspectImageAsync(Tag("aged"), Token));

            time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(10));
            // Until the cycle has removed it and forgotten it (stopping between the two would cancel the forgetting).
            for (var i = 0; i < 100 && (await docker.Driver.InspectImageAsync(Tag("aged"), Token) is not null
                || tracker.Tracked().Any(t => t.Image == Tag("aged"))); i++)
            {
                await Task.Delay(100, Token);
            }
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }

        Assert.Null(await docker.Driver.InspectImageAsync(Tag("aged"), Token));
        foreach (var kept in new[] { "inuse", "excluded", "untracked", "busy" })
        {
            Assert.NotNull(await docker.Driver.InspectImageAsync(Tag(kept), Token));
        }

        Assert.NotNull(await docker.Driver.InspectImageAsync(DockerFixture.Image, Token)); // the image the tags shared
        Assert.Equal([Tag("busy"), Tag("excluded"), Tag("inuse")], tracker.Tracked().Select(i => i.Image).Order(StringComparer.Ordinal));
    }
}
