namespace Orchestrator.ControlPlane;

/// <summary>The control plane's usage text, and the check that every argument is one it knows.</summary>
public static class ControlPlaneCommandLine
{
    public const string Usage = """
        Usage: controlplane [options]

          --data-dir DIR                 state directory (SQLite database); default /var/lib/orch-controlplane
          --listen ADDRESS               gRPC listen address (agents, orch); default 127.0.0.1
          --grpc-port PORT               default 7070
          --http-port PORT               ECS HTTP API and /healthz; default 8080
          --http-listen ADDRESS          ECS HTTP API listen address; default: --listen's
          --access-keys-file FILE        ACCESS_KEY_ID SECRET_ACCESS_KEY per line: operators' keys (SigV4, orch), besides
                                         the admin key (DATA_DIR/orch-admin.json) and those of orch access-key create
          --ca-cert FILE --ca-key FILE   the cluster CA (PEM) instead of the one created in DATA_DIR/pki
          --secrets-key-file FILE        the key of the secret store (32 bytes, base64); default DATA_DIR/secrets.key
          --tls-san NAME                 another DNS name or IP address for the gRPC certificate, repeatable
          --agent-certificate-lifetime T agents' client certificates (hh:mm:ss or d.hh:mm:ss); default 1.00:00:00
          --metrics-token-file FILE      bearer token Prometheus must send to scrape /metrics from another host;
                                         without it /metrics answers loopback callers only
          --dns-port PORT                serve service discovery (A and SRV for *.orch.local) on this UDP and TCP
                                         port; default: no DNS server
          --dns-address ADDRESS          the DNS server's address; default 127.0.0.1
          --lb-address ADDRESS           run the built-in load balancer: its listeners (orch lb listener create)
                                         bind this address (127.0.0.1, or 0.0.0.0 for other hosts); default: none
          --scaling-hook COMMAND         capacity providers' managed scaling: run with --cluster C --capacity-provider P
                                         --desired N --current M [--remove INSTANCE_ARN]...
          --scaling-hook-url URL         and/or POST that as JSON here (--scaling-hook-token-file FILE: bearer token)
          --scaling-interval T           how often managed scaling looks (hh:mm:ss); default 00:01:00
          --log-format json|simple       console log format; json includes scopes (trace and span ids)
          --insecure                     plaintext gRPC with no authentication, loopback only (development)
          --region REGION                region in ARNs; default us-east-1
          --account-id ID                account in ARNs; default 000000000000
          --agent-heartbeat-timeout T    agent silent this long counts as disconnected (hh:mm:ss)
          --instance-lost-grace T        then this long more before its service tasks are replaced
          --agent-reconnect-allowance T  after a start, how long agents have to reconnect before any counts as lost
          --subnet 'ID cidr=… [range=…] [gateway=…] [cluster=…] [hosts=EXPRESSION]'
                                         a subnet awsvpc tasks take addresses from, repeatable
          --ControlPlane:KEY=VALUE       any other setting; --Logging:LogLevel:Default=Debug for more logs
        """;

    /// <summary>Whether the arguments ask for help.</summary>
    public static bool WantsHelp(IEnumerable<string> args) => args.Any(a => a is "--help" or "-h");

    /// <summary>The first argument that is neither a known option (with its value) nor a --Section:Key setting; null when all are.</summary>
    public static string? FirstUnknown(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? arg : arg[..equals];
            if (arg == "--insecure")
            {
                continue;
            }

            var known = ControlPlaneApp.Switches.ContainsKey(name) || name is "--subnet" or "--tls-san"
                || (name.StartsWith("--", StringComparison.Ordinal) && name.Contains(':', StringComparison.Ordinal));
            if (!known)
            {
                return arg;
            }

            if (equals < 0)
            {
                i++; // the option's value
                if (i >= args.Count)
                {
                    return arg;
                }
            }
        }

        return null;
    }
}
