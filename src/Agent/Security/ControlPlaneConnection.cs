using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;
using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Security;
using Orchestrator.Contracts.Agent;

namespace Orchestrator.Agent.Security;

/// <summary>
/// The agent's way to the control plane. A TLS connection presents the client certificate it was made with, so when
/// the credentials change (first join, renewal) the current channel is retired and the next call gets a new one with
/// the new certificate; a retired channel is disposed once the last call using it (an established session) ends.
/// </summary>
public sealed partial class ControlPlaneConnection : IDisposable
{
    private readonly AgentOptions _options;
    private readonly AgentCredentials? _credentials;
    private readonly ILogger<ControlPlaneConnection> _logger;
    private readonly Lock _gate = new();
    private Entry? _current;
    private int _endpoint;
    private bool _disposed;

    public ControlPlaneConnection(IOptions<AgentOptions> options, AgentCredentials? credentials, ILogger<ControlPlaneConnection> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _credentials = credentials;
        _logger = logger;
        if (_credentials is not null)
        {
            _credentials.Changed += OnCredentialsChanged;
        }
    }

    /// <summary>A client on the current channel, kept open until the lease is disposed.</summary>
    public Lease Acquire()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _current ??= Create();
            _current.Leases++;
            return new Lease(this, _current);
        }
    }

    /// <summary>The control plane new calls go to (one of <see cref="AgentOptions.Endpoints"/>).</summary>
    public string Endpoint
    {
        get
        {
            lock (_gate)
            {
                return _options.Endpoints[_endpoint];
            }
        }
    }

    /// <summary>
    /// New calls go to the next control plane (this one is down or refused: a follower of several); false when there is
    /// only one.
    /// </summary>
    public bool MoveToNext()
    {
        lock (_gate)
        {
            if (_options.Endpoints.Count < 2)
            {
                return false;
            }

            _endpoint = (_endpoint + 1) % _options.Endpoints.Count;
        }

        Refresh();
        return true;
    }

    /// <summary>New calls get a new channel (made with the credentials as they are then).</summary>
    public void Refresh()
    {
        lock (_gate)
        {
            if (_current is { } retired)
            {
                _current = null;
                retired.Retired = true;
                DisposeIfUnused(retired);
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            if (_credentials is not null)
            {
                _credentials.Changed -= OnCredentialsChanged;
            }

            _current?.Channel.Dispose();
            _current = null;
        }
    }

    private void OnCredentialsChanged(object? sender, EventArgs e) => Refresh();

    private Entry Create()
    {
        if (!_options.UsesTls)
        {
            return new Entry(AgentChannel.Create(_options, endpoint: _options.Endpoints[_endpoint]), null);
        }

        var credentials = _credentials ?? throw new InvalidOperationException("An https endpoint needs the agent's credentials.");
        var ca = credentials.Ca ?? throw new InvalidOperationException("The cluster CA is not settled yet.");
        var certificate = credentials.Certificate;
        var endpoint = _options.Endpoints[_endpoint];
        var channel = AgentChannel.Create(_options, ca, certificate, problem => Log.ServerCertificateRejected(_logger, endpoint, problem), endpoint);
        if (certificate is not null)
        {
            Log.PresentingCertificate(_logger, certificate.Thumbprint, certificate.NotAfter.ToUniversalTime());
        }

        return new Entry(channel, certificate);
    }

    private void Release(Entry entry)
    {
        lock (_gate)
        {
            entry.Leases--;
            DisposeIfUnused(entry);
        }
    }

    private static void DisposeIfUnused(Entry entry)
    {
        if (entry.Retired && entry.Leases == 0)
        {
            entry.Channel.Dispose();
        }
    }

    internal sealed class Entry(GrpcChannel channel, X509Certificate2? certificate)
    {
        public GrpcChannel Channel { get; } = channel;

        public AgentService.AgentServiceClient Client { get; } = new(channel);

        public X509Certificate2? Certificate { get; } = certificate;

        public int Leases { get; set; }

        public bool Retired { get; set; }
    }

    /// <summary>A client and the certificate its channel presents (null over http or before the host joined).</summary>
    public sealed class Lease : IDisposable
    {
        private readonly ControlPlaneConnection _owner;
        private readonly Entry _entry;
        private int _released;

        internal Lease(ControlPlaneConnection owner, Entry entry)
        {
            _owner = owner;
            _entry = entry;
        }

        public AgentService.AgentServiceClient Client => _entry.Client;

        public X509Certificate2? Certificate => _entry.Certificate;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                _owner.Release(_entry);
            }
        }
    }
}
