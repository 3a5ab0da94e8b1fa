using Orchestrator.Cli.Output;
using Orchestrator.Cli.Tests.Fakes;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Cli.Tests.Output;

public sealed class FormatsTests
{
    [Fact]
    public void ShortTaskId_TaskArn_GivesTheFirstEightDigitsAndAnEllipsis() =>
        Assert.Equal("0123abcd…", Formats.ShortTaskId(Canned.TaskArn(Canned.TaskId1)));

    [Fact]
    public void Definition_TaskDefinitionArn_GivesFamilyAndRevision() =>
        Assert.Equal("web:12", Formats.Definition(Canned.DefinitionArn("web", 12)));

    [Fact]
    public void Bindings_SeveralProtocols_ShowsHostToContainerPorts() => Assert.Equal(
        "32768->80/tcp, 53->53/udp",
        Formats.Bindings([Canned.Binding(32768, 80), new NetworkBinding { HostPort = 53, ContainerPort = 53, Protocol = "udp" }]));

    [Fact]
    public void Bindings_SamePortOnIpv4AndIpv6_ShownOnce() => Assert.Equal(
        "32768->80/tcp",
        Formats.Bindings([Canned.Binding(32768, 80), Canned.Binding(32768, 80) with { BindIP = "::" }]));

    [Fact]
    public void Mappings_DynamicHostPort_ShowsDynamic() => Assert.Equal(
        "dynamic->80/tcp, 8125->8125/udp",
        Formats.Mappings([new PortMapping { ContainerPort = 80 }, new PortMapping { ContainerPort = 8125, HostPort = 8125, Protocol = "udp" }]));

    [Fact]
    public void LocalTime_Utc_ConvertsToTheGivenZone()
    {
        var zone = TimeZoneInfo.CreateCustomTimeZone("plus2", TimeSpan.FromHours(2), "plus2", "plus2");

        Assert.Equal("2025-03-01 14:00:05", Formats.LocalTime(new DateTimeOffset(2025, 3, 1, 12, 0, 5, TimeSpan.Zero), zone));
        Assert.Null(Formats.LocalTime(null, zone));
    }
}
