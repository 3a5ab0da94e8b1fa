using System.Buffers.Binary;
using System.Text;

namespace Orchestrator.ControlPlane.Tests.Discovery;

/// <summary>A test's own DNS query builder and answer reader, written apart from the server's code.</summary>
internal static class DnsTestPacket
{
    public static byte[] Query(ushort id, string name, ushort type, bool recursionDesired = true)
    {
        var bytes = new List<byte> { (byte)(id >> 8), (byte)id, (byte)(recursionDesired ? 0x01 : 0x00), 0, 0, 1, 0, 0, 0, 0, 0, 0 };
        foreach (var label in name.TrimEnd('.').Split('.'))
        {
            bytes.Add((byte)label.Length);
            bytes.AddRange(Encoding.ASCII.GetBytes(label));
        }

        bytes.AddRange([0, (byte)(type >> 8), (byte)type, 0, 1]);
        return [.. bytes];
    }

    public sealed record Record(string Name, ushort Type, uint Ttl, string? Address, ushort Port, string? Target);

    public sealed record Answer(ushort Id, int Rcode, bool Authoritative, bool RecursionAvailable, bool Truncated, IReadOnlyList<Record> Answers, IReadOnlyList<Record> Additional);

    public static Answer Read(byte[] packet)
    {
        var id = BinaryPrimitives.ReadUInt16BigEndian(packet);
        var flags = BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(2));
        int qd = BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(4)), an = BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(6));
        int ns = BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(8)), ar = BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(10));
        var at = 12;
        for (var i = 0; i < qd; i++)
        {
            (_, at) = Name(packet, at);
            at += 4;
        }

        var records = new List<Record>();
        for (var i = 0; i < an + ns + ar; i++)
        {
            string name;
            (name, at) = Name(packet, at);
            var type = BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(at));
            var ttl = BinaryPrimitives.ReadUInt32BigEndian(packet.AsSpan(at + 4));
            var length = BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(at + 8));
            var data = at + 10;
            records.Add(type switch
            {
                1 => new Record(name, type, ttl, string.Join('.', packet.AsSpan(data, 4).ToArray()), 0, null),
                33 => new Record(name, type, ttl, null, BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(data + 4)), Name(packet, data + 6).Name),
                _ => new Record(name, type, ttl, null, 0, null),
            });
            at = data + length;
        }

        return new Answer(id, flags & 0xF, (flags & 0x0400) != 0, (flags & 0x0080) != 0, (flags & 0x0200) != 0,
            records.Take(an).ToList(), records.Skip(an + ns).ToList());
    }

    private static (string Name, int End) Name(byte[] packet, int at)
    {
        var labels = new List<string>();
        var end = -1;
        for (var hops = 0; hops < 64; hops++)
        {
            var length = packet[at];
            if ((length & 0xC0) == 0xC0)
            {
                end = end < 0 ? at + 2 : end;
                at = ((length & 0x3F) << 8) | packet[at + 1];
                continue;
            }

            if (length == 0)
            {
                return (string.Join('.', labels), end < 0 ? at + 1 : end);
            }

            labels.Add(Encoding.ASCII.GetString(packet, at + 1, length));
            at += 1 + length;
        }

        throw new InvalidOperationException("name loops");
    }
}
