namespace Orchestrator.ControlPlane.State;

/// <summary>
/// Where the state is stored (configuration section <c>State</c>): <c>sqlite</c> (the default: DATA_DIR/state.db) or
/// <c>etcd</c> (several control planes on one etcd cluster, one of them the leader).
/// </summary>
public sealed class StateOptions
{
    public const string Section = "State";

    /// <summary><c>sqlite</c> or <c>etcd</c>.</summary>
    public string Backend { get; set; } = "sqlite";

    public EtcdOptions Etcd { get; set; } = new();

    public bool UsesEtcd => string.Equals(Backend, "etcd", StringComparison.OrdinalIgnoreCase);

    /// <summary>The problems with these options, one line each (none: valid).</summary>
    public IEnumerable<string> Problems()
    {
        if (!UsesEtcd && !string.Equals(Backend, "sqlite", StringComparison.OrdinalIgnoreCase))
        {
            yield return $"State:Backend must be sqlite or etcd, not '{Backend}'.";
            yield break;
        }

        if (!UsesEtcd)
        {
            yield break;
        }

        if (Etcd.EndpointList.Count == 0 || Etcd.EndpointList.Any(e => !Uri.TryCreate(e, UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https")))
        {
            yield return $"State:Etcd:Endpoints must be a comma-separated list of http:// or https:// etcd client URLs, not '{Etcd.Endpoints}'.";
        }

        if (Etcd.LeaseTtlSeconds is < 2 or > 60)
        {
            yield return $"State:Etcd:LeaseTtlSeconds must be between 2 and 60, not {Etcd.LeaseTtlSeconds}.";
        }

        if (Etcd.MaxTxnOps is < 2 or > 100_000)
        {
            yield return $"State:Etcd:MaxTxnOps must be between 2 and 100000 (etcd's --max-txn-ops), not {Etcd.MaxTxnOps}.";
        }

        if (string.IsNullOrWhiteSpace(Etcd.Prefix) || !Etcd.Prefix.StartsWith('/'))
        {
            yield return $"State:Etcd:Prefix must start with '/', not '{Etcd.Prefix}'.";
        }
    }
}

public sealed class EtcdOptions
{
    /// <summary>etcd client URLs, comma-separated (http://10.0.0.1:2379,http://10.0.0.2:2379,...).</summary>
    public string Endpoints { get; set; } = "";

    /// <summary>The keys of this cluster's state live under this prefix (several clusters can share one etcd).</summary>
    public string Prefix { get; set; } = "/orch/default/";

    /// <summary>The leader's lease: a leader that stops renewing it is replaced after this long.</summary>
    public int LeaseTtlSeconds { get; set; } = 3;

    /// <summary>The most operations in one etcd transaction (etcd's --max-txn-ops, 128 by default); larger writes are split.</summary>
    public int MaxTxnOps { get; set; } = 128;

    /// <summary>Each etcd call's deadline; past it (quorum lost, member down) the next endpoint is tried, then the write is refused.</summary>
    public double CallTimeoutSeconds { get; set; } = 3;

    /// <summary>This control plane's address as agents and clients reach it (told to followers' callers); default https://HOST:GRPC_PORT.</summary>
    public string? Advertise { get; set; }

    public IReadOnlyList<string> EndpointList =>
        [.. Endpoints.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}
