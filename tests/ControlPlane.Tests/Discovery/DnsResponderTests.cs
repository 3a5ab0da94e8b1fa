using System.Collections.Immutable;
using Orchestrator.ControlPlane.Discovery;
using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs.Model;
using TaskStatus = Orchestrator.Ecs.Model.TaskStatus;

namespace Orchestrator.ControlPlane.Tests.Discovery;

/// <summary>The DNS wire format and answers, over a hand-built snapshot: one service "web" of cluster "default" with two tasks.</summary>
public sealed class DnsResponderTests
{
    private const string Domain = "web.default.orch.local";
    private static readonly DnsResponder Responder = new(() => Snapshot());

    [Fact]
    public void Srv_TwoRunningTasks_OneRecordEach_WithTargetsAddressesAsAdditional()
    {
        var answer = Ask(Domain, DnsTypes.Srv);

        Assert.Equal(DnsRcode.NoError, answer.Rcode);
        Assert.True(answer.Authoritative);
        Assert.False(answer.RecursionAvailable);
        Assert.Equal([32768, 32769], answer.Answers.Select(a => (int)a.Port).Order());
        Assert.All(answer.Answers, a => Assert.Equal((Domain, 5u), (a.Name, a.Ttl)));
        Assert.Equal(["t1." + Domain, "t2." + Domain], answer.Answers.Select(a => a.Target!).Order());
        Assert.Equal(["10.0.0.5 t1." + Domain, "10.0.0.6 t2." + Domain], answer.Additional.Select(a => $"{a.Address} {a.Name}").Order());
    }

    [Fact]
    public void A_ServiceName_EachInstanceAddressOnce_TaskName_ItsOwn()
    {
        Assert.Equal(["10.0.0.5", "10.0.0.6"], Ask(Domain, DnsTypes.A).Answers.Select(a => a.Address!).Order());
        Assert.Equal("10.0.0.6", Assert.Single(Ask("T2.Web.Default.Orch.Local", DnsTypes.A).Answers).Address);
    }

    [Fact]
    public void Answer_OwnerNames_AreCompressedToTheQuestion()
    {
        var packet = Responder.Answer(DnsTestPacket.Query(7, Domain, DnsTypes.A), DnsResponder.UdpLimit)!;

        var question = 12 + Domain.Length + 2 + 4;
        Assert.Equal([0xC0, 0x0C], packet.AsSpan(question, 2).ToArray()); // the first answer's owner points at offset 12
        Assert.Equal(question + 2 * (2 + 10 + 4), packet.Length);
    }

    [Theory]
    [InlineData("nothing.default.orch.local", DnsRcode.NxDomain)]
    [InlineData("stopped.web.default.orch.local", DnsRcode.NxDomain)]
    [InlineData("web.other.orch.local", DnsRcode.NxDomain)]
    [InlineData("default.orch.local", DnsRcode.NoError)]
    [InlineData("example.com", DnsRcode.Refused)]
    [InlineData("orch.local.evil.example", DnsRcode.Refused)]
    public void Name_OutsideRegistrations_NxDomain_OutsideZone_Refused(string name, int rcode)
    {
        var answer = Ask(name, DnsTypes.A);

        Assert.Equal(rcode, answer.Rcode);
        Assert.Empty(answer.Answers);
        Assert.False(answer.RecursionAvailable);
    }

    [Fact]
    public void Aaaa_OfAKnownName_NoErrorWithoutRecords()
    {
        var answer = Ask(Domain, DnsTypes.Aaaa);

        Assert.Equal((DnsRcode.NoError, 0), (answer.Rcode, answer.Answers.Count));
    }

    [Fact]
    public void Malformed_Packets_DroppedOrFormErr_NeverThrow()
    {
        var valid = DnsTestPacket.Query(9, Domain, DnsTypes.A);
        Assert.Null(Responder.Answer([1, 2, 3], DnsResponder.UdpLimit)); // shorter than a header
        var response = (byte[])valid.Clone();
        response[2] |= 0x80;
        Assert.Null(Responder.Answer(response, DnsResponder.UdpLimit)); // a response is never answered

        var twoQuestions = (byte[])valid.Clone();
        twoQuestions[5] = 2;
        Assert.Equal(DnsRcode.FormErr, DnsTestPacket.Read(Responder.Answer(twoQuestions, DnsResponder.UdpLimit)!).Rcode);

        var truncated = valid[..(valid.Length - 3)];
        Assert.Equal(DnsRcode.FormErr, DnsTestPacket.Read(Responder.Answer(truncated, DnsResponder.UdpLimit)!).Rcode);

        byte[] loop = [.. valid[..12], 0xC0, 12, 0, 1, 0, 1]; // a pointer to itself
        Assert.Equal(DnsRcode.FormErr, DnsTestPacket.Read(Responder.Answer(loop, DnsResponder.UdpLimit)!).Rcode);

        byte[] longLabel = [.. valid[..12], 64, .. new byte[64], 0, 0, 1, 0, 1];
        Assert.Equal(DnsRcode.FormErr, DnsTestPacket.Read(Responder.Answer(longLabel, DnsResponder.UdpLimit)!).Rcode);

        var random = new Random(22);
        for (var i = 0; i < 2000; i++)
        {
            var junk = new byte[random.Next(0, 80)];
            random.NextBytes(junk);
            if (junk.Length > 3)
            {
                junk[2] &= 0x7F;
            }

            _ = Responder.Answer(junk, DnsResponder.UdpLimit); // must not throw
        }
    }

    [Fact]
    public void OtherOpcode_NotImp()
    {
        var query = DnsTestPacket.Query(3, Domain, DnsTypes.A);
        query[2] |= 0x10; // opcode 2 (STATUS)

        Assert.Equal(DnsRcode.NotImp, DnsTestPacket.Read(Responder.Answer(query, DnsResponder.UdpLimit)!).Rcode);
    }

    [Fact]
    public void Udp_TooManyRecords_Truncated_WithinLimit()
    {
        var big = new DnsResponder(() => Snapshot(40));

        var packet = big.Answer(DnsTestPacket.Query(4, Domain, DnsTypes.Srv), DnsResponder.UdpLimit)!;
        var answer = DnsTestPacket.Read(packet);

        Assert.True(packet.Length <= DnsResponder.UdpLimit);
        Assert.True(answer.Truncated);
        Assert.InRange(answer.Answers.Count, 1, 39);
        Assert.Equal(40, DnsTestPacket.Read(big.Answer(DnsTestPacket.Query(4, Domain, DnsTypes.Srv), DnsResponder.TcpLimit)!).Answers.Count);
    }

    [Theory]
    [InlineData(8080, 8080)]
    [InlineData(null, 0)]
    public void Awsvpc_TaskAnswersAtItsOwnAddress_WithTheRegistrysPort_OrARecordsOnly(int? port, int srvPort)
    {
        var state = Snapshot(1);
        var service = state.Services.Values.Single();
        var definition = state.TaskDefinitions.Values.Single() with { NetworkMode = NetworkModes.Awsvpc };
        var task = state.Tasks.Values.First(t => t.Task.DesiredStatus == TaskStatus.Running);
        state = state.With(definition).With(service with { ServiceRegistries = [new ServiceRegistry { RegistryArn = "web", Port = port }] }) with
        {
            Tasks = state.Tasks.SetItem(task.Arn, task with { Address = new TaskAddress("subnet-a", "10.9.0.20", 24, "10.9.0.1", "eni-1") }),
            Version = 100,
        };
        var responder = new DnsResponder(() => state);

        var a = DnsTestPacket.Read(responder.Answer(DnsTestPacket.Query(1, Domain, DnsTypes.A), DnsResponder.UdpLimit)!);
        var srv = DnsTestPacket.Read(responder.Answer(DnsTestPacket.Query(2, Domain, DnsTypes.Srv), DnsResponder.UdpLimit)!);

        Assert.Equal("10.9.0.20", Assert.Single(a.Answers).Address);
        Assert.Equal(srvPort == 0 ? [] : [srvPort], srv.Answers.Select(r => (int)r.Port));
    }

    [Theory]
    [InlineData("arn:aws:servicediscovery:us-east-1:123456789012:service/srv-Web", "web")]
    [InlineData("arn:aws:servicediscovery:us-east-1:123456789012:service/api-1", "api-1")]
    [InlineData("web", "web")]
    [InlineData("arn:aws:ecs:us-east-1:123456789012:service/srv-web", null)]
    [InlineData("we_b", null)]
    [InlineData("-web", null)]
    [InlineData("", null)]
    public void RegistryName_AcceptedForms(string arn, string? name) => Assert.Equal(name, DiscoveryNames.RegistryName(arn));

    private static DnsTestPacket.Answer Ask(string name, ushort type)
    {
        var answer = DnsTestPacket.Read(Responder.Answer(DnsTestPacket.Query(42, name, type), DnsResponder.UdpLimit)!);
        Assert.Equal(42, answer.Id);
        return answer;
    }

    private static StateSnapshot Snapshot(int tasks = 2)
    {
        var definition = new TaskDefinition
        {
            TaskDefinitionArn = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1",
            Family = "web",
            Revision = 1,
            ContainerDefinitions = [new ContainerDefinition { Name = "web", PortMappings = [new PortMapping { ContainerPort = 80 }] }],
        };
        var service = new ServiceRecord
        {
            Name = "web",
            Arn = "arn:aws:ecs:us-east-1:123456789012:service/default/web",
            ClusterName = "default",
            TaskDefinitionArn = definition.TaskDefinitionArn,
            ServiceRegistries = [new ServiceRegistry { RegistryArn = "web", ContainerName = "web", ContainerPort = 80 }],
        };
        var state = StateSnapshot.Empty.With(definition).With(service);
        foreach (var n in new[] { 5, 6 })
        {
            state = state.With(new InstanceRecord
            {
                Arn = $"arn:aws:ecs:us-east-1:123456789012:container-instance/default/i{n}",
                ClusterName = "default",
                Address = $"10.0.0.{n}",
                Registered = new HostCapacity(1024, 1024, [], []),
            });
        }

        var records = ImmutableSortedDictionary.CreateBuilder<string, TaskRecord>(StringComparer.Ordinal);
        for (var i = 1; i <= tasks; i++)
        {
            var arn = $"arn:aws:ecs:us-east-1:123456789012:task/default/t{i}";
            records[arn] = new TaskRecord
            {
                ClusterName = "default",
                Reserved = new TaskRequirements(0, 0, [], []),
                Task = new EcsTask
                {
                    TaskArn = arn,
                    TaskDefinitionArn = definition.TaskDefinitionArn,
                    Group = "service:web",
                    LastStatus = TaskStatus.Running,
                    ContainerInstanceArn = $"arn:aws:ecs:us-east-1:123456789012:container-instance/default/i{(i % 2 == 1 ? 5 : 6)}",
                    Containers = [new Container { Name = "web", NetworkBindings = [new NetworkBinding { ContainerPort = 80, HostPort = 32767 + i, Protocol = "tcp" }] }],
                },
            };
        }

        // Stopped and stopping tasks never answer.
        records["arn:aws:ecs:us-east-1:123456789012:task/default/stopped"] = records["arn:aws:ecs:us-east-1:123456789012:task/default/t1"] with
        {
            Task = records["arn:aws:ecs:us-east-1:123456789012:task/default/t1"].Task with { TaskArn = "arn:aws:ecs:us-east-1:123456789012:task/default/stopped", DesiredStatus = TaskStatus.Stopped },
        };
        return state with { Tasks = records.ToImmutable(), Version = tasks };
    }
}
