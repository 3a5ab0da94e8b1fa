using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Orchestrator.Lab;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>
/// A real private registry for a test: Debian's <c>docker-registry</c> (distribution) on 127.0.0.1 and a free port,
/// with htpasswd (bcrypt) auth and TLS from a CA made here. The local dockerd trusts that CA through
/// <c>/etc/docker/certs.d/127.0.0.1:PORT/ca.crt</c>, removed again on disposal with the registry's storage. Images are
/// pushed with the docker CLI logged in through its own config directory (never the user's). Every local tag this
/// makes carries the registry's port, so parallel tests never share one, and only those tags are removed.
/// </summary>
public sealed class PrivateRegistry : IAsyncDisposable
{
    public const string Username = "puller";

    private readonly string _root;
    private readonly string _certsDir;
    private readonly List<string> _localTags = [];
    private ManagedProcess? _process;

    private PrivateRegistry(string root, int port, string password)
    {
        _root = root;
        Port = port;
        Password = password;
        _certsDir = $"/etc/docker/certs.d/127.0.0.1:{port}";
    }

    public int Port { get; }

    /// <summary>The registry's host as image references name it: <c>127.0.0.1:PORT</c>.</summary>
    public string Host => $"127.0.0.1:{Port}";

    public string Password { get; }

    public string Output => _process?.Output ?? _stoppedOutput;

    private string _stoppedOutput = "";

    public static async Task<PrivateRegistry> StartAsync(CancellationToken cancellationToken)
    {
        var root = Directory.CreateTempSubdirectory("orch-registry-").FullName;
        var registry = new PrivateRegistry(root, FreePort(), "pw-" + Guid.NewGuid().ToString("N"));
        try
        {
            await registry.ServeAsync(cancellationToken);
            return registry;
        }
        catch
        {
            await registry.DisposeAsync();
            throw;
        }
    }

    private async Task ServeAsync(CancellationToken cancellationToken)
    {
        // A CA and a server certificate for 127.0.0.1 it signs.
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=orch test registry CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var now = DateTimeOffset.UtcNow;
        using var ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var server = serverRequest.Create(ca, now.AddMinutes(-5), now.AddDays(1), RandomNumberGenerator.GetBytes(8));
        var caPem = ca.ExportCertificatePem();
        await File.WriteAllTextAsync(Path.Combine(_root, "server.crt"), server.ExportCertificatePem() + "\n" + caPem, cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(_root, "server.key"), serverKey.ExportPkcs8PrivateKeyPem(), cancellationToken);

        // dockerd reads certs.d at each pull and push: from now on it trusts this CA for this registry only.
        Directory.CreateDirectory(_certsDir);
        await File.WriteAllTextAsync(Path.Combine(_certsDir, "ca.crt"), caPem, cancellationToken);

        var htpasswd = await Commands.RunAsync("htpasswd", ["-Bbn", Username, Password]);
        htpasswd.EnsureSuccess();
        await File.WriteAllTextAsync(Path.Combine(_root, "htpasswd"), htpasswd.Stdout.Trim() + "\n", cancellationToken);
        var config = Path.Combine(_root, "config.yml");
        await File.WriteAllTextAsync(config, $"""
            version: 0.1
            log:
              level: info
            storage:
              filesystem:
                rootdirectory: {Path.Combine(_root, "data")}
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:{Port}
              tls:
                certificate: {Path.Combine(_root, "server.crt")}
                key: {Path.Combine(_root, "server.key")}
            auth:
              htpasswd:
                realm: orch-test
                path: {Path.Combine(_root, "htpasswd")}
            """, cancellationToken);
        _process = ManagedProcess.StartProgram("registry", "docker-registry", ["serve", config]);

        // Ready when /v2/ answers 401 over TLS verified against the CA.
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, errors) => certificate is not null && Verify(certificate, caPem, errors),
        };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.Async(async () =>
        {
            Assert.False(_process.HasExited, "docker-registry exited");
            using var response = await http.GetAsync(new Uri($"https://{Host}/v2/"), cancellationToken);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }, TimeSpan.FromSeconds(30), () => Output);
    }

    private static bool Verify(X509Certificate2 certificate, string caPem, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        using var ca = X509Certificate2.CreateFromPem(caPem);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    /// <summary>
    /// Tags <paramref name="localImage"/> as <c>HOST/repository:tag</c>, logs in and pushes it, then removes that local
    /// tag again so the next use of the reference has to pull. Returns the reference.
    /// </summary>
    public async Task<string> PushAsync(string localImage, string repositoryAndTag)
    {
        var reference = $"{Host}/{repositoryAndTag}";
        (await Commands.RunAsync("docker", ["tag", localImage, reference])).EnsureSuccess();
        _localTags.Add(reference);
        var dockerConfig = await LoginAsync();
        (await Commands.RunAsync("docker", ["--config", dockerConfig, "push", reference], TimeSpan.FromMinutes(2))).EnsureSuccess();
        await RemoveLocalAsync(reference);
        return reference;
    }

    /// <summary>
    /// Logs the docker CLI in to this registry in a config directory of its own (never the user's) and returns that
    /// directory, for <c>docker --config</c> or <c>DOCKER_CONFIG</c>.
    /// </summary>
    public async Task<string> LoginAsync()
    {
        var dockerConfig = Path.Combine(_root, "docker-config");
        Directory.CreateDirectory(dockerConfig);
        (await Commands.RunAsync("sh", ["-c", $"printf %s \"$REGISTRY_PASSWORD\" | docker --config '{dockerConfig}' login --username {Username} --password-stdin {Host}"],
            TimeSpan.FromMinutes(1), new Dictionary<string, string> { ["REGISTRY_PASSWORD"] = Password })).EnsureSuccess();
        return dockerConfig;
    }

    /// <summary>
    /// Pushes <paramref name="localImage"/> as <c>HOST/repository:tag</c> (a new image under a tag the registry
    /// already has) while the local tag of that name keeps pointing where it did: the cache still holds the old image.
    /// </summary>
    public async Task ReplaceAsync(string localImage, string repositoryAndTag)
    {
        var reference = $"{Host}/{repositoryAndTag}";
        var before = await Commands.RunAsync("docker", ["image", "inspect", "--format", "{{.Id}}", reference]);
        await PushAsync(localImage, repositoryAndTag);
        if (before.Succeeded)
        {
            (await Commands.RunAsync("docker", ["tag", before.Stdout.Trim(), reference])).EnsureSuccess();
        }
    }

    /// <summary>
    /// Builds a small image from local/busybox:1 whose <c>/version</c> holds <paramref name="version"/>, tagged with
    /// this registry's port so that it is this test's own; removed on disposal.
    /// </summary>
    /// <remarks>With <paramref name="randomMegabytes"/>, a layer of that many MB of random bytes (it does not compress) comes first.</remarks>
    public async Task<string> BuildAsync(string version, int randomMegabytes = 0)
    {
        var tag = $"orch-test-registry-{Port}/{version}:1";
        var blob = randomMegabytes > 0 ? $"RUN head -c {randomMegabytes * 1_000_000} /dev/urandom > /blob\n" : "";
        (await Commands.RunAsync("sh", ["-c", $"printf 'FROM local/busybox:1\nLABEL orch.test.registry={Port}\n{blob}RUN echo {version} > /version\n' | docker build -q -t {tag} -"],
            TimeSpan.FromMinutes(2))).EnsureSuccess();
        _localTags.Add(tag);
        return tag;
    }

    /// <summary>Removes a local tag this registry's tests made (never another image), if it is there.</summary>
    public static async Task RemoveLocalAsync(string reference)
    {
        var removed = await Commands.RunAsync("docker", ["image", "rm", "--no-prune", reference]);
        if (removed.ExitCode != 0 && !removed.Stderr.Contains("No such image", StringComparison.Ordinal))
        {
            removed.EnsureSuccess();
        }
    }

    /// <summary>Stops the registry (its storage stays until disposal): pulls from it now fail to connect.</summary>
    public async Task StopServingAsync()
    {
        if (_process is { } process)
        {
            await process.DisposeAsync();
            _stoppedOutput = process.Output;
            _process = null;
        }
    }

    /// <summary>Remembers a local tag made from this registry (by a pull) to remove on disposal.</summary>
    public void Track(string reference) => _localTags.Add(reference);

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        // Registry tags first, then the built ones: an image goes once its last tag made here does (never one in use).
        foreach (var tag in _localTags.Distinct().OrderBy(t => t.StartsWith(Host, StringComparison.Ordinal) ? 0 : 1))
        {
            await Commands.RunAsync("docker", ["image", "rm", tag]);
        }

        // An image pulled from this registry whose tag moved on is still named by its digest here: those go too.
        var digests = await Commands.RunAsync("docker", ["image", "ls", "--digests", "--format", "{{.Repository}}@{{.Digest}}"]);
        foreach (var reference in digests.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(r => r.StartsWith(Host + "/", StringComparison.Ordinal) && r.Contains("@sha256:", StringComparison.Ordinal)))
        {
            await Commands.RunAsync("docker", ["image", "rm", reference]);
        }

        try
        {
            Directory.Delete(_certsDir, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }

        Directory.Delete(_root, recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
