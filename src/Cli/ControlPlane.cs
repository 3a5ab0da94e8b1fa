using System.Net.Http;
using System.Net.Security;
using System.Security.Authentication;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Orchestrator.Ecs;

namespace Orchestrator.Cli;

/// <summary>
/// The connection to the control plane: one gRPC channel (TLS trusting the cluster CA, or the system roots without a
/// CA file; plaintext for <c>http://</c>), calls signed with the access key, and what its failures mean to a user.
/// </summary>
internal sealed class ControlPlane : IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly CaTrust? _trust;

    public ControlPlane(ConnectionSettings settings, TimeProvider time)
    {
        Settings = settings;
        var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10), EnableMultipleHttp2Connections = true };
        if (IsTls)
        {
            var trust = settings.CaFile is null ? CaTrust.System() : CaTrust.Load(settings.CaFile);
            handler.SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, certificate, chain, errors) => trust.Validate(certificate, chain, errors) };
            _trust = trust;
        }

        _channel = GrpcChannel.ForAddress(settings.Endpoint, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
        Invoker = settings.HasAccessKey
            ? _channel.Intercept(new SigningInterceptor(settings.AccessKeyId!, settings.SecretAccessKey!, time))
            : _channel.CreateCallInvoker();
    }

    public ConnectionSettings Settings { get; }

    public Uri Endpoint => Settings.Endpoint;

    /// <summary>Calls through this are signed (when an access key is configured).</summary>
    public CallInvoker Invoker { get; }

    /// <summary>Calls through this are not signed: for the public GetClusterCa.</summary>
    public CallInvoker UnsignedInvoker => _channel.CreateCallInvoker();

    private bool IsTls => Settings.Endpoint.Scheme == Uri.UriSchemeHttps;

    public void Dispose() => _channel.Dispose();

    /// <summary>
    /// A failed call as the user should see it: an ECS error as the AWS CLI prints it (254), refused credentials (254),
    /// an unreachable or untrusted control plane (255).
    /// </summary>
    public CliException Translate(RpcException error, string action)
    {
        var errorType = error.Trailers.GetValue(EcsErrors.GrpcTypeTrailer);
        if (errorType is null)
        {
            switch (error.StatusCode)
            {
                case StatusCode.Unavailable:
                case StatusCode.Internal when Causes(error.Status.DebugException).Any(c => c is HttpRequestException or AuthenticationException or IOException):
                    // A failed TLS handshake is Internal, with the client's own exception: the server never answered.
                    return CliException.Local(ConnectionProblem(error));
                case StatusCode.Unauthenticated:
                    return new CliException(ExitCodes.ServiceError, Settings.HasAccessKey
                        ? $"The control plane did not accept access key {Settings.AccessKeyId} for {action}: {error.Status.Detail} (check the key, or {ConnectionSettings.CredentialsHint})."
                        : $"The control plane needs an access key for {action}: {error.Status.Detail} ({ConnectionSettings.CredentialsHint}).");
                case StatusCode.PermissionDenied:
                    return new CliException(ExitCodes.ServiceError,
                        $"Access key {Settings.AccessKeyId ?? "(none)"} may not call {action}: {error.Status.Detail} (a read-only key may only describe and list; {ConnectionSettings.CredentialsHint} for another key).");
                default:
                    break;
            }
        }

        return new CliException(
            ExitCodes.ServiceError,
            $"An error occurred ({errorType ?? error.StatusCode.ToString()}) when calling the {action} operation: {error.Status.Detail}");
    }

    private string ConnectionProblem(RpcException error)
    {
        var prefix = $"Could not connect to the control plane at {Endpoint.OriginalString}";
        if (_trust?.Rejection is { } rejection)
        {
            return _trust.RejectedName ? $"{prefix}: its certificate is not for {Endpoint.Host} ({rejection}); use a name or address the certificate was issued for."
                : _trust.Path is null ? $"{prefix}: its certificate is not trusted by this system ({rejection}); set {ConnectionSettings.CaFileVariable} or caFile in the config file to the cluster's ca.crt."
                : $"{prefix}: its certificate is not issued by the CA in {_trust.Path} ({rejection}).";
        }

        var causes = Causes(error.Status.DebugException).ToList();
        var innermost = causes.Count == 0 ? error.Status.Detail : $"{error.Status.Detail} ({causes[^1].Message})";
        if (IsTls && causes.OfType<AuthenticationException>().FirstOrDefault() is { } handshake)
        {
            // The certificate was never checked: the server did not answer TLS.
            return $"{prefix}: the TLS handshake failed ({handshake.Message}); is it a plaintext endpoint (http://{Endpoint.Authority})?";
        }

        if (!IsTls && causes.OfType<HttpRequestException>().FirstOrDefault(IsProtocolError) is { } protocol)
        {
            return $"{prefix}: {protocol.Message} The port may speak TLS: did it mean https://{Endpoint.Authority}{Endpoint.PathAndQuery.TrimEnd('/')}?";
        }

        if (!IsTls && causes.Any(c => c is IOException or System.Net.Sockets.SocketException or HttpRequestException)
            && !causes.OfType<System.Net.Sockets.SocketException>().Any(NeverConnected)
            && !causes.OfType<HttpRequestException>().Any(e => e.HttpRequestError is HttpRequestError.NameResolutionError))
        {
            // Connected, then closed at once: what a TLS-only port does with plaintext.
            return $"{prefix}: it closed the connection ({causes[^1].Message}). A control plane speaks TLS unless started with --insecure: did it mean https://{Endpoint.Authority}{Endpoint.PathAndQuery.TrimEnd('/')}?";
        }

        return $"{prefix}: {innermost}";
    }

    private static bool NeverConnected(System.Net.Sockets.SocketException error) => error.SocketErrorCode is
        System.Net.Sockets.SocketError.ConnectionRefused or System.Net.Sockets.SocketError.HostNotFound or System.Net.Sockets.SocketError.TimedOut
        or System.Net.Sockets.SocketError.NetworkUnreachable or System.Net.Sockets.SocketError.HostUnreachable or System.Net.Sockets.SocketError.TryAgain;

    private static bool IsProtocolError(HttpRequestException error) =>
        error.HttpRequestError is HttpRequestError.HttpProtocolError or HttpRequestError.ResponseEnded or HttpRequestError.InvalidResponse;

    private static IEnumerable<Exception> Causes(Exception? error)
    {
        for (var cause = error; cause is not null; cause = cause.InnerException)
        {
            yield return cause;
        }
    }
}
