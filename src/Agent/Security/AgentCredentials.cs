using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Orchestrator.Agent.State;

namespace Orchestrator.Agent.Security;

/// <summary>
/// The cluster CA the agent trusts and the client certificate it presents, as they are now. A new certificate is
/// stored (key and certificate together) before it is used; <see cref="Changed"/> then tells the connection to use
/// it for new calls.
/// </summary>
public sealed class AgentCredentials(PkiFiles files, TimeProvider time)
{
    private readonly Lock _gate = new();
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private X509Certificate2? _ca;
    private X509Certificate2? _certificate;

    /// <summary>Raised after the CA or the client certificate changed.</summary>
    public event EventHandler? Changed;

    public PkiFiles Files => files;

    public X509Certificate2? Ca
    {
        get
        {
            lock (_gate)
            {
                return _ca;
            }
        }
    }

    /// <summary>The client certificate (with its key) new connections present; null before the host has joined.</summary>
    public X509Certificate2? Certificate
    {
        get
        {
            lock (_gate)
            {
                return _certificate;
            }
        }
    }

    /// <summary>Completes at the next change.</summary>
    public Task NextChange
    {
        get
        {
            lock (_gate)
            {
                return _next.Task;
            }
        }
    }

    public void TrustCa(X509Certificate2 ca)
    {
        ArgumentNullException.ThrowIfNull(ca);
        lock (_gate)
        {
            _ca = ca;
        }

        Signal();
    }

    /// <summary>
    /// The current certificate when it is still valid, else the stored one when it is valid (then used from now on);
    /// null with the reason when there is none.
    /// </summary>
    public X509Certificate2? LoadValidCertificate(out string? problem)
    {
        var current = Certificate;
        if (current is not null && IsValid(current, out problem))
        {
            return current;
        }

        var stored = files.ReadClientCertificate();
        if (stored is null)
        {
            problem = $"no client certificate in {files.DirectoryPath}";
            Forget();
            return null;
        }

        if (!IsValid(stored, out problem))
        {
            Forget();
            return null;
        }

        lock (_gate)
        {
            _certificate = stored;
        }

        Signal();
        return stored;
    }

    /// <summary>Stores a certificate issued for <paramref name="key"/> with the key, then uses it for new connections.</summary>
    public X509Certificate2 Store(string certificatePem, ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        using var issued = ClusterCertificates.WithKey(certificatePem, key);
        files.WriteClientCertificate(issued.ExportCertificatePem() + "\n", key.ExportPkcs8PrivateKeyPem() + "\n");
        var usable = files.ReadClientCertificate()
            ?? throw new CryptographicException($"The client certificate just stored in {files.DirectoryPath} cannot be read back.");
        lock (_gate)
        {
            _certificate = usable;
        }

        Signal();
        return usable;
    }

    /// <summary>Within its validity period and issued by the trusted CA.</summary>
    public bool IsValid(X509Certificate2 certificate, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var now = time.GetUtcNow();
        if (now >= certificate.NotAfter.ToUniversalTime())
        {
            problem = $"the client certificate expired at {certificate.NotAfter.ToUniversalTime():u}";
            return false;
        }

        if (Ca is { } ca && !ClusterCertificates.ChainsTo(certificate, ca, certificate.NotAfter.AddSeconds(-1), out var chainProblem))
        {
            problem = $"the client certificate was not issued by the cluster CA: {chainProblem}";
            return false;
        }

        problem = null;
        return true;
    }

    /// <summary>New connections present no certificate rather than one the control plane would refuse.</summary>
    private void Forget()
    {
        lock (_gate)
        {
            if (_certificate is null)
            {
                return;
            }

            _certificate = null;
        }

        Signal();
    }

    private void Signal()
    {
        TaskCompletionSource previous;
        lock (_gate)
        {
            previous = _next;
            _next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        Changed?.Invoke(this, EventArgs.Empty);
        previous.TrySetResult();
    }
}
