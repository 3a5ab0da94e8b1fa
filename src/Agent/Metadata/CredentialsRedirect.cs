using System.Diagnostics;

namespace Orchestrator.Agent.Metadata;

/// <summary>
/// Sends containers' calls to <c>169.254.170.2:80</c> (ECS's credentials address, which the AWS SDKs call for
/// <c>AWS_CONTAINER_CREDENTIALS_RELATIVE_URI</c>) to the agent's metadata endpoint, as the ECS agent's init does: a
/// <c>nat PREROUTING</c> DNAT for bridge containers (their packets enter the host on the Docker bridge) to the bridge
/// gateway's address and the endpoint's port — an address the endpoint listens on, so unlike ECS's DNAT to 127.0.0.1
/// no <c>route_localnet</c> is needed — and a <c>nat OUTPUT</c> DNAT to 127.0.0.1 for host-mode containers (which need a
/// route to 169.254.170.2, e.g. a default route). Set up once, when the first task role keys arrive (an agent that
/// never runs a task with a role never touches the host's firewall), and removed when the agent stops. Each rule
/// carries the comment <c>orch-task-credentials:PORT</c>. Needs root and <c>iptables</c>; without them it is logged and
/// tasks get no keys at that address.
/// </summary>
public sealed partial class CredentialsRedirect(ILogger<CredentialsRedirect> logger)
{
    private readonly Lock _lock = new();
    private readonly List<string[]> _installed = [];

    /// <summary>The rules for an endpoint on the bridge gateway (may be null) and loopback, at the port.</summary>
    public static IReadOnlyList<string[]> Rules(string? bridgeGateway, int port)
    {
        var comment = $"orch-task-credentials:{port}";
        var rules = new List<string[]>();
        if (bridgeGateway is not null)
        {
            rules.Add(["PREROUTING", "-d", TaskRoleCredentials.EndpointAddress + "/32", "-p", "tcp", "--dport", "80",
                "-m", "comment", "--comment", comment, "-j", "DNAT", "--to-destination", $"{bridgeGateway}:{port}"]);
        }

        rules.Add(["OUTPUT", "-d", TaskRoleCredentials.EndpointAddress + "/32", "-p", "tcp", "--dport", "80",
            "-m", "comment", "--comment", comment, "-j", "DNAT", "--to-destination", $"127.0.0.1:{port}"]);
        return rules;
    }

    /// <summary>Installs the rules (each once: checked with <c>-C</c> first).</summary>
    public void Install(IReadOnlyList<string[]> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        lock (_lock)
        {
            foreach (var rule in rules)
            {
                if (Run(["-w", "5", "-t", "nat", "-C", .. rule], out _) == 0)
                {
                    _installed.Add(rule);
                    continue;
                }

                if (Run(["-w", "5", "-t", "nat", "-I", .. rule], out var error) == 0)
                {
                    _installed.Add(rule);
                    Log.Installed(logger, string.Join(' ', rule));
                }
                else
                {
                    Log.Failed(logger, string.Join(' ', rule), error);
                }
            }
        }
    }

    /// <summary>Removes the rules this agent installed.</summary>
    public void Remove()
    {
        lock (_lock)
        {
            foreach (var rule in _installed)
            {
                Run(["-w", "5", "-t", "nat", "-D", .. rule], out _);
            }

            _installed.Clear();
        }
    }

    private static int Run(string[] arguments, out string error)
    {
        var start = new ProcessStartInfo("iptables") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(15_000))
            {
                process.Kill();
                error = "iptables did not finish within 15 s";
                return -1;
            }

            error = stderr.Result.Trim();
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            error = e.Message;
            return -1;
        }
    }
}
