using System.Text;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace Orchestrator.ControlPlane.State;

/// <summary>
/// The state in etcd v3: each document is the key <c>PREFIX state/TABLE/KEY</c> with its JSON as value. A write is one
/// etcd transaction (split at <see cref="EtcdOptions.MaxTxnOps"/> operations) guarded by a compare on the leader key:
/// it applies only while this control plane holds the lead (<see cref="Fence"/>), so a deposed leader can never write.
/// etcd answers once a quorum of members has the transaction in its log: nothing is acknowledged before it is durable.
/// Calls go to one endpoint at a time and move on to the next when it is down or does not answer in time.
/// </summary>
public sealed class EtcdStateBackend : IStateBackend
{
    private readonly EtcdOptions _options;
    private readonly GrpcChannel[] _channels;
    private int _current;

    public EtcdStateBackend(EtcdOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        Prefix = options.Prefix.EndsWith('/') ? options.Prefix : options.Prefix + "/";
        _channels = [.. options.EndpointList.Select(e => GrpcChannel.ForAddress(e, new GrpcChannelOptions
        {
            MaxReceiveMessageSize = null,
            HttpHandler = new SocketsHttpHandler
            {
                ConnectTimeout = TimeSpan.FromSeconds(2),
                KeepAlivePingDelay = TimeSpan.FromSeconds(5),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(5),
                EnableMultipleHttp2Connections = true,
            },
        }))];
        Description = $"etcd {string.Join(',', options.EndpointList)} under {Prefix}";
    }

    public string Prefix { get; }

    public string StatePrefix => Prefix + "state/";

    public string LeaderKey => Prefix + "leader";

    public string Description { get; }

    /// <summary>The leader key's value while this control plane leads; commits compare against it (null: refuse).</summary>
    public string? Fence { get; set; }

    /// <summary>The etcd revision of the last <see cref="LoadAll"/>: a change feed starts after it.</summary>
    public long LoadedRevision { get; private set; }

    public TimeSpan CallTimeout => TimeSpan.FromSeconds(_options.CallTimeoutSeconds);

    public IReadOnlyList<StoredDocument> LoadAll()
    {
        var response = Call(channel => new KV.KVClient(channel).RangeAsync(
            new RangeRequest { Key = Bytes(StatePrefix), RangeEnd = Bytes(PrefixEnd(StatePrefix)) }, deadline: Deadline()).ResponseAsync,
            CancellationToken.None).GetAwaiter().GetResult();
        LoadedRevision = response.Header.Revision;
        var documents = new List<StoredDocument>(response.Kvs.Count);
        foreach (var kv in response.Kvs)
        {
            if (Parse(kv.Key) is { } key)
            {
                documents.Add(key with { Json = kv.Value.ToStringUtf8() });
            }
        }

        return documents;
    }

    public async Task CommitAsync(IReadOnlyList<StateChange> changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var fence = Fence ?? throw new StateUnavailableException("This control plane is not the leader; retry shortly.");
        foreach (var chunk in changes.Chunk(_options.MaxTxnOps))
        {
            var request = new TxnRequest();
            request.Compare.Add(new Compare
            {
                Key = Bytes(LeaderKey),
                Target = Compare.Types.CompareTarget.Value,
                Result = Compare.Types.CompareResult.Equal,
                Value = Bytes(fence),
            });
            foreach (var change in chunk)
            {
                var key = Bytes(StatePrefix + change.Table + "/" + change.Key);
                request.Success.Add(change.Document is null
                    ? new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = key } }
                    : new RequestOp { RequestPut = new PutRequest { Key = key, Value = Bytes(StateDocuments.Serialize(change.Document)) } });
            }

            var response = await Call(channel => new KV.KVClient(channel).TxnAsync(request, deadline: Deadline(), cancellationToken: cancellationToken).ResponseAsync,
                cancellationToken).ConfigureAwait(false);
            if (!response.Succeeded)
            {
                Fence = null;
                throw new StateUnavailableException("This control plane lost the lead (its etcd lease is gone); the write was not stored. Retry against the new leader.");
            }
        }
    }

    /// <summary>
    /// Follows the leader's commits from <paramref name="fromRevision"/> and hands each batch to
    /// <paramref name="apply"/>, until the stream breaks (throws) or etcd compacted the revision asked for (returns).
    /// </summary>
    public async Task WatchAsync(long fromRevision, Func<IReadOnlyList<StoredDocument>, Task> apply, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(apply);
        var channel = _channels[Volatile.Read(ref _current) % _channels.Length];
        using var call = new Watch.WatchClient(channel).Watch(cancellationToken: cancellationToken);
        await call.RequestStream.WriteAsync(new WatchRequest
        {
            CreateRequest = new WatchCreateRequest { Key = Bytes(StatePrefix), RangeEnd = Bytes(PrefixEnd(StatePrefix)), StartRevision = fromRevision, ProgressNotify = true },
        }, cancellationToken).ConfigureAwait(false);
        while (await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            var response = call.ResponseStream.Current;
            if (response.CompactRevision > 0 || response.Canceled)
            {
                return;
            }

            var documents = new List<StoredDocument>(response.Events.Count);
            foreach (var e in response.Events)
            {
                if (Parse(e.Kv.Key) is { } key)
                {
                    documents.Add(key with { Json = e.Type == Mvccpb.Event.Types.EventType.Delete ? null : e.Kv.Value.ToStringUtf8() });
                }
            }

            await apply(documents).ConfigureAwait(false);
        }

        throw new IOException("The etcd watch stream ended.");
    }

    /// <summary>
    /// Calls etcd on the current endpoint, moving on to the next one when it is unreachable or does not answer within
    /// <see cref="EtcdOptions.CallTimeoutSeconds"/>; once every endpoint failed, throws <see cref="StateUnavailableException"/>.
    /// </summary>
    public async Task<T> Call<T>(Func<GrpcChannel, Task<T>> call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        RpcException? last = null;
        for (var attempt = 0; attempt < _channels.Length; attempt++)
        {
            var index = Volatile.Read(ref _current);
            try
            {
                return await call(_channels[index % _channels.Length]).ConfigureAwait(false);
            }
            // A connect timeout surfaces as Cancelled while the caller's token is not.
            catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal or StatusCode.Unknown or StatusCode.Cancelled
                                         && !cancellationToken.IsCancellationRequested)
            {
                last = e;
                Interlocked.CompareExchange(ref _current, (index + 1) % _channels.Length, index);
            }
        }

        throw new StateUnavailableException(
            $"The state store (etcd) is unavailable: no member answered in time (quorum lost or members down: {last?.StatusCode}). The write was not acknowledged; retry later.",
            null, last!);
    }

    /// <summary>Moves calls to the next endpoint (after a broken stream).</summary>
    public void NextEndpoint()
    {
        var index = Volatile.Read(ref _current);
        Interlocked.CompareExchange(ref _current, (index + 1) % _channels.Length, index);
    }

    public DateTime Deadline() => DateTime.UtcNow.Add(CallTimeout);

    public void Dispose()
    {
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }
    }

    public static ByteString Bytes(string text) => ByteString.CopyFromUtf8(text);

    /// <summary>The end of the range of every key that starts with <paramref name="prefix"/>.</summary>
    public static string PrefixEnd(string prefix)
    {
        var bytes = Encoding.UTF8.GetBytes(prefix);
        bytes[^1]++;
        return Encoding.UTF8.GetString(bytes);
    }

    private StoredDocument? Parse(ByteString raw)
    {
        var key = raw.ToStringUtf8();
        if (!key.StartsWith(StatePrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = key[StatePrefix.Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        return slash <= 0 ? null : new StoredDocument(rest[..slash], rest[(slash + 1)..], null);
    }
}
