using System.Formats.Asn1;
using System.Net;
using System.Net.NetworkInformation;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using Orchestrator.Contracts;

namespace Orchestrator.ControlPlane.Security;

/// <summary>
/// The cluster's certificate authority: created on first start in <c>DATA_DIR/pki/</c> (<c>ca.crt</c>, and
/// <c>ca.key</c> readable by the owner only), or the operator's (<c>--ca-cert</c>, <c>--ca-key</c>). It issues the
/// gRPC port's server certificate (at every start, for the addresses the control plane listens on) and the agents'
/// short-lived client certificates, which name their container instance in a URI subject alternative name.
/// </summary>
public sealed class ClusterPki : IDisposable
{
    public const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";
    public const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";
    public const int MaxCertificateRequestLength = 8192;

    private readonly X509Certificate2 _ca;
    private readonly Lazy<X509Certificate2> _server;
    private readonly TimeSpan _clientLifetime;
    private readonly TimeProvider _clock;

    public ClusterPki(IOptions<ControlPlaneOptions> options, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Value;
        _clock = clock;
        _clientLifetime = o.AgentCertificateLifetime;
        _ca = o.CaCertificateFile is { Length: > 0 } certFile && o.CaKeyFile is { Length: > 0 } keyFile
            ? X509Certificate2.CreateFromPemFile(certFile, keyFile)
            : LoadOrCreate(Path.Combine(o.DataDir, "pki"), clock);
        CaPem = _ca.ExportCertificatePem();
        Fingerprint = CaFingerprint.Of(_ca);
        _server = new Lazy<X509Certificate2>(() => IssueServer(ServerNames(o)));
    }

    /// <summary>The CA certificate (PEM): public, agents fetch it to check against the fingerprint they were given.</summary>
    public string CaPem { get; }

    /// <summary><c>sha256:…</c> of the CA certificate, what <c>agent --ca-fingerprint</c> takes.</summary>
    public string Fingerprint { get; }

    public string CaFile(ControlPlaneOptions options) =>
        options.CaCertificateFile is { Length: > 0 } file ? Path.GetFullPath(file) : Path.Combine(options.DataDir, "pki", "ca.crt");

    /// <summary>The gRPC port's certificate (with its private key).</summary>
    public X509Certificate2 ServerCertificate => _server.Value;

    /// <summary>
    /// Reads a PKCS#10 request (PEM) whose signature verifies and whose key is strong enough; throws
    /// <see cref="ArgumentException"/> (with a short message) otherwise.
    /// </summary>
    public static CertificateRequest ReadRequest(string? certificateRequestPem)
    {
        if (string.IsNullOrEmpty(certificateRequestPem) || certificateRequestPem.Length > MaxCertificateRequestLength)
        {
            throw new ArgumentException($"certificate_request must be a PEM certificate request of at most {MaxCertificateRequestLength} characters.");
        }

        CertificateRequest request;
        try
        {
            request = CertificateRequest.LoadSigningRequestPem(certificateRequestPem, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.Default);
        }
        catch (CryptographicException)
        {
            throw new ArgumentException("certificate_request is not a PEM certificate request with a valid signature.");
        }

        CheckKey(request.PublicKey);
        return request;
    }

    /// <summary>A client certificate (PEM) for <paramref name="instanceArn"/> over the public key of a checked request.</summary>
    public string IssueClient(CertificateRequest request, string instanceArn)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(instanceArn);
        var id = instanceArn[(instanceArn.LastIndexOf('/') + 1)..];
        var issued = new CertificateRequest(new X500DistinguishedName($"CN={id}"), request.PublicKey, HashAlgorithmName.SHA256);
        issued.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        issued.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        issued.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(ClientAuthOid)], false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddUri(new Uri(instanceArn));
        issued.CertificateExtensions.Add(names.Build());
        var now = _clock.GetUtcNow();
        var notAfter = now + _clientLifetime < _ca.NotAfter ? now + _clientLifetime : new DateTimeOffset(_ca.NotAfter.ToUniversalTime());
        // Backdated a little for clocks behind ours, but not so much that a short lifetime is mostly in the past (the
        // agent renews when a third of NotBefore..NotAfter is left).
        var backdate = TimeSpan.FromTicks(Math.Min(TimeSpan.FromMinutes(5).Ticks, _clientLifetime.Ticks / 4));
        using var certificate = issued.Create(_ca, now - backdate, notAfter, NewSerial());
        return certificate.ExportCertificatePem();
    }

    /// <summary>
    /// The container instance a client certificate names, if this CA issued it and it is valid now; otherwise null and
    /// why, in words for the agent's log.
    /// </summary>
    public string? InstanceOf(X509Certificate2? certificate, out string reason)
    {
        reason = "";
        if (certificate is null)
        {
            reason = "no client certificate: a host joins with an activation (orch activation create), and then presents the certificate it was given";
            return null;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = _clock.GetUtcNow().UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        if (!chain.Build(certificate) || chain.ChainElements.Count != 2 || !chain.ChainElements[1].Certificate.RawData.AsSpan().SequenceEqual(_ca.RawData))
        {
            var expired = chain.ChainStatus.Any(s => s.Status.HasFlag(X509ChainStatusFlags.NotTimeValid));
            reason = expired
                ? $"the client certificate is not valid now (valid {certificate.NotBefore.ToUniversalTime():u} to {certificate.NotAfter.ToUniversalTime():u}): join again with a new activation"
                : "the client certificate was not issued by this cluster's CA";
            return null;
        }

        if (certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault() is not { } usage
            || !usage.EnhancedKeyUsages.Cast<Oid>().Any(o => o.Value == ClientAuthOid))
        {
            reason = "the certificate is not a client certificate";
            return null;
        }

        var arn = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault() is { } san ? UriOf(san) : null;
        if (arn is null)
        {
            reason = "the client certificate names no container instance";
            return null;
        }

        return arn;
    }

    public void Dispose()
    {
        _ca.Dispose();
        if (_server.IsValueCreated)
        {
            _server.Value.Dispose();
        }
    }

    private static string? UriOf(X509SubjectAlternativeNameExtension san)
    {
        // SubjectAlternativeName ::= SEQUENCE OF GeneralName; uniformResourceIdentifier is [6] IA5String.
        var reader = new AsnReader(san.RawData, AsnEncodingRules.DER).ReadSequence();
        while (reader.HasData)
        {
            var tag = reader.PeekTag();
            if (tag == new Asn1Tag(TagClass.ContextSpecific, 6))
            {
                return reader.ReadCharacterString(UniversalTagNumber.IA5String, tag);
            }

            reader.ReadEncodedValue();
        }

        return null;
    }

    private static void CheckKey(PublicKey key)
    {
        if (key.GetECDsaPublicKey() is { } ec)
        {
            using (ec)
            {
                if (ec.KeySize < 256)
                {
                    throw new ArgumentException("certificate_request: an ECDSA key must have at least 256 bits.");
                }
            }

            return;
        }

        if (key.GetRSAPublicKey() is { } rsa)
        {
            using (rsa)
            {
                if (rsa.KeySize < 2048)
                {
                    throw new ArgumentException("certificate_request: an RSA key must have at least 2048 bits.");
                }
            }

            return;
        }

        throw new ArgumentException("certificate_request: the key must be ECDSA (P-256 or larger) or RSA (2048 bits or more).");
    }

    private static X509Certificate2 LoadOrCreate(string directory, TimeProvider clock)
    {
        var certFile = Path.Combine(directory, "ca.crt");
        var keyFile = Path.Combine(directory, "ca.key");
        if (File.Exists(certFile) && File.Exists(keyFile))
        {
            return X509Certificate2.CreateFromPemFile(certFile, keyFile);
        }

        Directory.CreateDirectory(directory);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(
            new X500DistinguishedName($"CN=orch cluster CA {Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}, O=orch"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = clock.GetUtcNow();
        var ca = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(10));
        SecureFile.Write(keyFile, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(certFile, ca.ExportCertificatePem());
        return ca;
    }

    /// <summary>Names the server certificate carries: loopback, this host's name, the listen address (every local one for 0.0.0.0), and <c>--tls-san</c>.</summary>
    internal static IReadOnlyList<string> ServerNames(ControlPlaneOptions options)
    {
        var names = new List<string> { "localhost", "127.0.0.1", "::1", Dns.GetHostName() };
        if (IPAddress.TryParse(options.ListenAddress, out var listen) && (listen.Equals(IPAddress.Any) || listen.Equals(IPAddress.IPv6Any)))
        {
            names.AddRange(NetworkInterface.GetAllNetworkInterfaces()
                .SelectMany(n => n.GetIPProperties().UnicastAddresses)
                .Select(a => a.Address)
                .Where(a => !a.IsIPv6LinkLocal)
                .Select(a => a.ToString()));
        }
        else
        {
            names.Add(options.ListenAddress);
        }

        names.AddRange(options.TlsSans.SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));
        return names.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }

    private X509Certificate2 IssueServer(IReadOnlyList<string> names)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName("CN=orch control plane"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(ServerAuthOid)], false));
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            if (IPAddress.TryParse(name, out var address))
            {
                san.AddIpAddress(address);
            }
            else
            {
                san.AddDnsName(name);
            }
        }

        request.CertificateExtensions.Add(san.Build());
        var now = _clock.GetUtcNow();
        var notAfter = now.AddDays(397) < _ca.NotAfter ? now.AddDays(397) : new DateTimeOffset(_ca.NotAfter.ToUniversalTime());
        using var certificate = request.Create(_ca, now.AddMinutes(-5), notAfter, NewSerial());
        using var withKey = certificate.CopyWithPrivateKey(key);
        // Through PKCS#12 so that the key is usable by the TLS stack on every platform.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    private static byte[] NewSerial()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        return serial;
    }
}
