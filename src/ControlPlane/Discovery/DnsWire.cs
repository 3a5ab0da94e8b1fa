using System.Buffers.Binary;
using System.Text;

namespace Orchestrator.ControlPlane.Discovery;

/// <summary>DNS record types and response codes this server knows (RFC 1035, RFC 2782).</summary>
public static class DnsTypes
{
    public const ushort A = 1;
    public const ushort Ns = 2;
    public const ushort Soa = 6;
    public const ushort Aaaa = 28;
    public const ushort Srv = 33;
    public const ushort Any = 255;
    public const ushort ClassIn = 1;
}

public static class DnsRcode
{
    public const int NoError = 0;
    public const int FormErr = 1;
    public const int ServFail = 2;
    public const int NxDomain = 3;
    public const int NotImp = 4;
    public const int Refused = 5;
}

/// <summary>A parsed query: its header fields and its one question (name lower case, without the trailing dot).</summary>
public sealed record DnsQuery(ushort Id, bool RecursionDesired, int Opcode, string Name, ushort Type, ushort Class, int QuestionEnd);

/// <summary>
/// The DNS wire format, as little as an authoritative server needs: reading one question (names with compression
/// pointers, bounded: 255 bytes a name, pointers only backwards, at most 32 jumps) and writing answers with name
/// compression. Nothing here throws on bad input other than <see cref="DnsFormatException"/>.
/// </summary>
public static class DnsWire
{
    public const int HeaderLength = 12;
    public const int MaxNameLength = 255;

    /// <summary>Reads the header and the one question; null when the packet is not a query at all (too short, or a response): drop it.</summary>
    public static DnsQuery? ReadQuery(ReadOnlySpan<byte> packet)
    {
        if (packet.Length < HeaderLength)
        {
            return null;
        }

        var id = BinaryPrimitives.ReadUInt16BigEndian(packet);
        var flags = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        if ((flags & 0x8000) != 0)
        {
            return null; // a response: never answer one (no loops between servers)
        }

        var opcode = (flags >> 11) & 0xF;
        var rd = (flags & 0x0100) != 0;
        var questions = BinaryPrimitives.ReadUInt16BigEndian(packet[4..]);
        if (questions != 1)
        {
            throw new DnsFormatException(id, rd, opcode);
        }

        try
        {
            var (name, end) = ReadName(packet, HeaderLength);
            if (end + 4 > packet.Length)
            {
                throw new DnsFormatException(id, rd, opcode);
            }

            var type = BinaryPrimitives.ReadUInt16BigEndian(packet[end..]);
            var klass = BinaryPrimitives.ReadUInt16BigEndian(packet[(end + 2)..]);
            return new DnsQuery(id, rd, opcode, name, type, klass, end + 4);
        }
        catch (FormatException)
        {
            throw new DnsFormatException(id, rd, opcode);
        }
    }

    /// <summary>Reads a (possibly compressed) name at <paramref name="offset"/>; returns it lower case and where the name ends in the packet.</summary>
    public static (string Name, int End) ReadName(ReadOnlySpan<byte> packet, int offset)
    {
        var builder = new StringBuilder();
        var position = offset;
        var end = -1;
        var jumps = 0;
        var length = 0;
        while (true)
        {
            if (position >= packet.Length)
            {
                throw new FormatException("name runs past the packet");
            }

            var b = packet[position];
            if ((b & 0xC0) == 0xC0)
            {
                if (position + 1 >= packet.Length || ++jumps > 32)
                {
                    throw new FormatException("bad compression pointer");
                }

                var target = ((b & 0x3F) << 8) | packet[position + 1];
                if (target >= position)
                {
                    throw new FormatException("compression pointer does not point backwards");
                }

                end = end < 0 ? position + 2 : end;
                position = target;
                continue;
            }

            if ((b & 0xC0) != 0)
            {
                throw new FormatException("unknown label type");
            }

            if (b == 0)
            {
                end = end < 0 ? position + 1 : end;
                return (builder.ToString(), end);
            }

            length += b + 1;
            if (length > MaxNameLength || position + 1 + b > packet.Length)
            {
                throw new FormatException("name too long");
            }

            if (builder.Length > 0)
            {
                builder.Append('.');
            }

            foreach (var c in packet.Slice(position + 1, b))
            {
                builder.Append(c is >= (byte)'A' and <= (byte)'Z' ? (char)(c + 32) : (char)c);
            }

            position += 1 + b;
        }
    }
}

/// <summary>A query that cannot be read: answered FORMERR with the header fields that could be read.</summary>
public sealed class DnsFormatException(ushort id, bool recursionDesired, int opcode) : Exception("malformed DNS query")
{
    public ushort Id { get; } = id;
    public bool RecursionDesired { get; } = recursionDesired;
    public int Opcode { get; } = opcode;
}

/// <summary>Writes a response: header, the question, then records, compressing names against those already written.</summary>
public sealed class DnsWriter
{
    private readonly byte[] _buffer;
    private readonly Dictionary<string, int> _names = new(StringComparer.Ordinal);
    private int _length;

    public DnsWriter(int capacity) => _buffer = new byte[capacity];

    public int Length => _length;

    /// <summary>Whether anything did not fit (the caller then sends a truncated answer).</summary>
    public bool Overflowed { get; private set; }

    public byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();

    public void Header(ushort id, ushort flags, int questions, int answers, int authority, int additional)
    {
        _length = 0;
        U16(id);
        U16(flags);
        U16((ushort)questions);
        U16((ushort)answers);
        U16((ushort)authority);
        U16((ushort)additional);
    }

    public void SetCounts(int answers, int additional)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(6), (ushort)answers);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(10), (ushort)additional);
    }

    public void SetFlags(ushort flags) => BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(2), flags);

    public void Question(string name, ushort type, ushort klass)
    {
        Name(name, compress: true);
        U16(type);
        U16(klass);
    }

    /// <summary>Writes a record whole or not at all; false when it did not fit.</summary>
    public bool Record(string owner, ushort type, uint ttl, Action<DnsWriter> data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var mark = _length;
        var names = _names.Count;
        try
        {
            Name(owner, compress: true);
            U16(type);
            U16(DnsTypes.ClassIn);
            U32(ttl);
            var lengthAt = _length;
            U16(0);
            data(this);
            BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(lengthAt), (ushort)(_length - lengthAt - 2));
            return true;
        }
        catch (BufferFullException)
        {
            _length = mark;
            if (_names.Count != names)
            {
                foreach (var stale in _names.Where(n => n.Value >= mark).Select(n => n.Key).ToList())
                {
                    _names.Remove(stale);
                }
            }

            Overflowed = true;
            return false;
        }
    }

    public void Address(System.Net.IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        Bytes(address.GetAddressBytes());
    }

    public void Srv(ushort priority, ushort weight, ushort port, string target)
    {
        U16(priority);
        U16(weight);
        U16(port);
        Name(target, compress: false); // RFC 2782: the target is not compressed
    }

    /// <summary>Writes a name; with <paramref name="compress"/> its longest suffix already written becomes a pointer.</summary>
    public void Name(string name, bool compress)
    {
        ArgumentNullException.ThrowIfNull(name);
        var rest = name.TrimEnd('.');
        while (rest.Length > 0)
        {
            if (compress && _names.TryGetValue(rest, out var at))
            {
                U16((ushort)(0xC000 | at));
                return;
            }

            if (_length < 0x3FFF)
            {
                _names.TryAdd(rest, _length);
            }

            var dot = rest.IndexOf('.', StringComparison.Ordinal);
            var label = dot < 0 ? rest : rest[..dot];
            var bytes = Encoding.ASCII.GetBytes(label);
            if (bytes.Length is 0 or > 63)
            {
                throw new ArgumentException("label length", nameof(name));
            }

            Byte((byte)bytes.Length);
            Bytes(bytes);
            rest = dot < 0 ? "" : rest[(dot + 1)..];
        }

        Byte(0);
    }

    public void U16(ushort value)
    {
        Check(2);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(_length), value);
        _length += 2;
    }

    public void U32(uint value)
    {
        Check(4);
        BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(_length), value);
        _length += 4;
    }

    private void Byte(byte value)
    {
        Check(1);
        _buffer[_length++] = value;
    }

    private void Bytes(ReadOnlySpan<byte> value)
    {
        Check(value.Length);
        value.CopyTo(_buffer.AsSpan(_length));
        _length += value.Length;
    }

    private void Check(int count)
    {
        if (_length + count > _buffer.Length)
        {
            throw new BufferFullException();
        }
    }

    private sealed class BufferFullException : Exception;
}
