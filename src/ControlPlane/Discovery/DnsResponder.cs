using System.Net;
using Orchestrator.ControlPlane.State;

namespace Orchestrator.ControlPlane.Discovery;

/// <summary>
/// Answers DNS queries for <c>*.orch.local</c> from the state snapshot, authoritatively and never recursively (pure but
/// for a per-version cache of the zone):
/// <list type="bullet">
/// <item><c>NAME.CLUSTER.orch.local</c>: A → each registered task's address (distinct); SRV → one record per task
/// (priority 1, weight 1, its port, target <c>TASKID.NAME.CLUSTER.orch.local</c>) with the targets' A records as additional;</item>
/// <item><c>TASKID.NAME.CLUSTER.orch.local</c>: A → that task's address;</item>
/// <item>a name of the zone that is none of these: NXDOMAIN; one outside the zone: REFUSED; other types of a known
/// name: no records (NOERROR); opcodes other than QUERY: NOTIMP; unreadable questions: FORMERR; responses and
/// packets shorter than a header: no answer.</item>
/// </list>
/// UDP answers stay within 512 bytes (set TC when records were left out); TCP answers within 65535.
/// </summary>
public sealed class DnsResponder(Func<StateSnapshot> current)
{
    public const uint Ttl = 5;
    public const int UdpLimit = 512;
    public const int TcpLimit = 65535;

    private Zone? _zone;

    public byte[]? Answer(ReadOnlySpan<byte> packet, int limit)
    {
        DnsQuery? query;
        try
        {
            query = DnsWire.ReadQuery(packet);
        }
        catch (DnsFormatException e)
        {
            var error = new DnsWriter(DnsWire.HeaderLength);
            error.Header(e.Id, Flags(e.Opcode, e.RecursionDesired, DnsRcode.FormErr), 0, 0, 0, 0);
            return error.ToArray();
        }

        if (query is null)
        {
            return null;
        }

        var writer = new DnsWriter(limit);
        if (query.Opcode != 0)
        {
            writer.Header(query.Id, Flags(query.Opcode, query.RecursionDesired, DnsRcode.NotImp), 0, 0, 0, 0);
            return writer.ToArray();
        }

        var inZone = query.Name == DnsNames.Zone || query.Name.EndsWith("." + DnsNames.Zone, StringComparison.Ordinal);
        if (!inZone || query.Class is not (DnsTypes.ClassIn or DnsTypes.Any))
        {
            writer.Header(query.Id, Flags(0, query.RecursionDesired, DnsRcode.Refused), 1, 0, 0, 0);
            writer.Question(query.Name, query.Type, query.Class);
            return writer.ToArray();
        }

        var zone = ZoneOf(current());
        var rcode = DnsRcode.NoError;
        var answers = new List<(string Owner, ushort Type, Action<DnsWriter> Data)>();
        var additional = new List<(string Owner, ushort Type, Action<DnsWriter> Data)>();
        if (zone.Services.TryGetValue(query.Name, out var registration))
        {
            if (query.Type is DnsTypes.A or DnsTypes.Any)
            {
                foreach (var address in registration.Entries.Select(e => e.Address).Distinct(StringComparer.Ordinal))
                {
                    if (IPAddress.TryParse(address, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
                    {
                        answers.Add((query.Name, DnsTypes.A, w => w.Address(ip)));
                    }
                }
            }

            if (query.Type is DnsTypes.Srv or DnsTypes.Any)
            {
                foreach (var entry in registration.Entries.Where(e => e.Port > 0))
                {
                    var target = $"{entry.TaskId.ToLowerInvariant()}.{registration.DomainName}";
                    answers.Add((query.Name, DnsTypes.Srv, w => w.Srv(1, 1, (ushort)entry.Port, target)));
                    if (IPAddress.TryParse(entry.Address, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
                    {
                        additional.Add((target, DnsTypes.A, w => w.Address(ip)));
                    }
                }
            }
        }
        else if (zone.Tasks.TryGetValue(query.Name, out var task))
        {
            if (query.Type is DnsTypes.A or DnsTypes.Any && IPAddress.TryParse(task.Address, out var ip) &&
                ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            {
                answers.Add((query.Name, DnsTypes.A, w => w.Address(ip)));
            }
        }
        else if (!zone.Parents.Contains(query.Name))
        {
            rcode = DnsRcode.NxDomain;
        }

        writer.Header(query.Id, Flags(0, query.RecursionDesired, rcode), 1, 0, 0, 0);
        writer.Question(query.Name, query.Type, query.Class);
        var written = 0;
        foreach (var (owner, type, data) in answers)
        {
            if (!writer.Record(owner, type, Ttl, data))
            {
                break;
            }

            written++;
        }

        var extra = 0;
        if (!writer.Overflowed)
        {
            foreach (var (owner, type, data) in additional)
            {
                if (!writer.Record(owner, type, Ttl, data))
                {
                    break;
                }

                extra++;
            }
        }

        writer.SetCounts(written, extra);
        if (written < answers.Count)
        {
            writer.SetFlags((ushort)(Flags(0, query.RecursionDesired, rcode) | 0x0200)); // TC: ask again over TCP
        }

        return writer.ToArray();
    }

    /// <summary>QR, AA, the opcode, RD echoed, RA never (not recursive), the rcode.</summary>
    private static ushort Flags(int opcode, bool recursionDesired, int rcode) =>
        (ushort)(0x8000 | 0x0400 | ((opcode & 0xF) << 11) | (recursionDesired ? 0x0100 : 0) | (rcode & 0xF));

    private Zone ZoneOf(StateSnapshot state)
    {
        var zone = _zone;
        if (zone is not null && zone.Version == state.Version)
        {
            return zone;
        }

        zone = Zone.From(state);
        _zone = zone;
        return zone;
    }

    private sealed record Zone(long Version, Dictionary<string, DiscoveryRegistration> Services, Dictionary<string, DiscoveryEntry> Tasks, HashSet<string> Parents)
    {
        public static Zone From(StateSnapshot state)
        {
            var services = new Dictionary<string, DiscoveryRegistration>(StringComparer.Ordinal);
            var tasks = new Dictionary<string, DiscoveryEntry>(StringComparer.Ordinal);
            var parents = new HashSet<string>(StringComparer.Ordinal) { DnsNames.Zone };
            foreach (var registration in ServiceDiscovery.All(state))
            {
                services.TryAdd(registration.DomainName, registration);
                parents.Add(registration.DomainName[(registration.DomainName.IndexOf('.', StringComparison.Ordinal) + 1)..]);
                foreach (var entry in registration.Entries)
                {
                    tasks.TryAdd($"{entry.TaskId.ToLowerInvariant()}.{registration.DomainName}", entry);
                }
            }

            return new Zone(state.Version, services, tasks, parents);
        }
    }
}

internal static class DnsNames
{
    public const string Zone = DiscoveryNames.Zone;
}
