using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Orchestrator.Ecs;

namespace Orchestrator.ControlPlane.Http;

/// <summary>
/// Checks the SigV4 signature of an ECS API request against the configured access keys, with AWS's error types, in
/// two steps: <see cref="Authenticate"/> checks what the headers say (credential, scope, date, signed headers) before
/// the body is read, so an unknown caller costs no body; <see cref="SignedRequest.Verify"/> then checks the signature
/// over the body's hash, before the body is parsed. With no keys configured every request is accepted (the options
/// validator allows that on loopback only).
/// </summary>
/// <remarks>
/// A task role's short-lived keys (<c>ASIA…</c>, <see cref="Security.TaskCredentialStore"/>) are accepted too when the
/// request carries their session token (<c>X-Amz-Security-Token</c>, signed), they have not expired and their task is
/// still live; the request then carries the role (<see cref="SignedRequest.Role"/>) whose policy the endpoint checks.
/// </remarks>
public sealed class RequestAuthenticator(
    Security.AccessKeyStore keys,
    IOptions<ControlPlaneOptions> options,
    TimeProvider clock,
    Security.TaskCredentialStore? taskCredentials = null,
    Security.RoleStore? roles = null,
    State.StateStore? state = null)
{
    public const string ExpiredToken = "ExpiredTokenException";
    public const string SecurityTokenHeader = "x-amz-security-token";

    public const string MissingAuthenticationToken = "MissingAuthenticationTokenException";
    public const string UnrecognizedClient = "UnrecognizedClientException";
    public const string InvalidSignature = "InvalidSignatureException";

    /// <summary>The headers a signature must cover: who the request is for, when it was made and which action it is.</summary>
    private static readonly string[] RequiredSignedHeaders = ["host", "x-amz-date", "x-amz-target"];

    public bool Required => !options.Value.Insecure || !keys.IsEmpty;

    /// <summary>
    /// Checks the request's headers; returns what is needed to verify the signature once the body's hash is known
    /// (null when keys are not required).
    /// </summary>
    public SignedRequest? Authenticate(HttpContext context) => Authenticate(context, SigV4.Service, RequiredSignedHeaders);

    /// <summary>
    /// The same for another service signed on this port (EventBridge Scheduler's <c>scheduler</c>, whose REST calls
    /// carry no X-Amz-Target), with the headers its signature must cover; the query string is signed too.
    /// </summary>
    public SignedRequest? Authenticate(HttpContext context, string service, IReadOnlyList<string> requiredSignedHeaders)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(requiredSignedHeaders);
        if (!Required)
        {
            return null;
        }

        var request = context.Request;
        var authorizations = request.Headers.Authorization;
        if (authorizations.Count == 0 || authorizations.ToString().Length == 0)
        {
            throw new EcsException(MissingAuthenticationToken, "Missing Authentication Token");
        }

        var authorization = (authorizations.Count == 1 ? SigV4.ParseAuthorization(authorizations[0] ?? "") : null)
            ?? throw new EcsException(InvalidSignature, "The Authorization header is not a valid AWS4-HMAC-SHA256 authorization.");
        var key = keys.Find(authorization.AccessKeyId);
        TaskRole? role = null;
        string secret;
        if (key is not null)
        {
            secret = key.Secret;
        }
        else
        {
            role = TaskRoleOf(authorization, request.Headers[SecurityTokenHeader].ToString());
            secret = role.Secret;
        }

        var region = options.Value.Region;
        if (authorization.Service != service || authorization.Region != region)
        {
            throw new EcsException(InvalidSignature,
                $"Credential should be scoped to a valid region and service: expected {region}/{service}, got {EcsText.Cut(authorization.Region)}/{EcsText.Cut(authorization.Service)}.");
        }

        var amzDate = request.Headers["X-Amz-Date"].ToString();
        if (!SigV4.TryParseAmzDate(amzDate, out var signedAt) || !amzDate.StartsWith(authorization.Date, StringComparison.Ordinal))
        {
            throw new EcsException(InvalidSignature, "The request must carry an X-Amz-Date header matching its credential scope.");
        }

        var skew = options.Value.MaxClockSkew;
        var now = clock.GetUtcNow();
        if (signedAt < now - skew || signedAt > now + skew)
        {
            throw new EcsException(InvalidSignature,
                $"Signature expired: {amzDate} is outside {skew.TotalMinutes:0} minutes of the control plane's time ({now:yyyyMMdd'T'HHmmss'Z'}).");
        }

        if (!requiredSignedHeaders.All(authorization.SignedHeaders.Contains))
        {
            throw new EcsException(InvalidSignature, $"The signed headers must include {string.Join(", ", requiredSignedHeaders.SkipLast(1))} and {requiredSignedHeaders[^1]}.");
        }

        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget is { Length: > 0 } raw ? raw.Split('?', 2) : [(request.PathBase + request.Path).ToString(), request.QueryString.Value?.TrimStart('?') ?? ""];
        var headers = authorization.SignedHeaders.Distinct(StringComparer.Ordinal).ToDictionary(name => name, name => request.Headers[name].ToString(), StringComparer.Ordinal);
        return new SignedRequest(authorization, secret, amzDate, request.Method, target[0], headers)
        {
            ReadOnly = key?.ReadOnly ?? false,
            Role = role,
            Query = target.Length > 1 ? SigV4.CanonicalQuery(target[1]) : "",
        };
    }

    /// <summary>
    /// The task and role behind a task role key, or AWS's error: an unknown key or a wrong session token is an
    /// unrecognized client, an expired one says so, and so do the keys of a task that stopped (they die with it).
    /// </summary>
    private TaskRole TaskRoleOf(SigV4.Authorization authorization, string sessionToken)
    {
        var invalid = new EcsException(UnrecognizedClient, "The security token included in the request is invalid.");
        if (taskCredentials is null || roles is null || state is null
            || !authorization.AccessKeyId.StartsWith(Security.TaskCredentialStore.AccessKeyPrefix, StringComparison.Ordinal))
        {
            throw invalid;
        }

        var issued = taskCredentials.Check(authorization.AccessKeyId, sessionToken, out var problem);
        if (problem == Security.CredentialProblem.Expired)
        {
            throw new EcsException(ExpiredToken, "The security token included in the request is expired");
        }

        if (issued is null || !IsLive(state.Current.Task(issued.TaskArn)) || roles.Find(issued.RoleArn) is not { } role)
        {
            throw invalid;
        }

        if (!authorization.SignedHeaders.Contains(SecurityTokenHeader))
        {
            throw new EcsException(InvalidSignature, $"The signed headers must include {SecurityTokenHeader} when signing with temporary credentials.");
        }

        return new TaskRole(issued.TaskArn, role.Role.Name, role.Role.Arn, role.Policy, issued.SecretAccessKey);
    }

    /// <summary>Placed, meant to run and not yet stopped: a task whose keys still work.</summary>
    private static bool IsLive(State.TaskRecord? task) =>
        task is not null && task.Task.DesiredStatus == Ecs.Model.TaskStatus.Running && task.Task.LastStatus != Ecs.Model.TaskStatus.Stopped;

    /// <summary>Who signed with a task role's keys: the task, its role and the role's policy.</summary>
    public sealed record TaskRole(string TaskArn, string RoleName, string RoleArn, Security.RolePolicy Policy, string Secret)
    {
        /// <summary>How IAM names the caller: <c>arn:aws:sts::ACCOUNT:assumed-role/ROLE/TASK-ID</c>.</summary>
        public string AssumedRoleArn(string account) => $"arn:aws:sts::{account}:assumed-role/{RoleName}/{TaskArn[(TaskArn.LastIndexOf('/') + 1)..]}";

        public override string ToString() => $"TaskRole {{ TaskArn = {TaskArn}, RoleArn = {RoleArn} }}";
    }

    /// <summary>A request whose headers passed; its signature is checked against the hash of the body as read.</summary>
    public sealed class SignedRequest
    {
        private readonly SigV4.Authorization _authorization;
        private readonly string _secret;
        private readonly string _amzDate;
        private readonly string _method;
        private readonly string _path;
        private readonly Dictionary<string, string> _headers;

        internal SignedRequest(SigV4.Authorization authorization, string secret, string amzDate, string method, string path, Dictionary<string, string> headers)
        {
            _authorization = authorization;
            _secret = secret;
            _amzDate = amzDate;
            _method = method;
            _path = path;
            _headers = headers;
        }

        public string AccessKeyId => _authorization.AccessKeyId;

        /// <summary>Whether the key may only read (Describe*, List*).</summary>
        public bool ReadOnly { get; init; }

        /// <summary>The task and role when the request was signed with a task role's keys; its policy decides what it may do.</summary>
        public TaskRole? Role { get; init; }

        /// <summary>The canonical query string (empty without one).</summary>
        internal string Query { get; init; } = "";

        /// <summary>Checks the signature given the SHA-256 of the body; throws ECS's error when it does not match.</summary>
        public void Verify(ReadOnlySpan<byte> bodySha256)
        {
            var canonical = SigV4.CanonicalRequest(_method, _path, _authorization.SignedHeaders, name => _headers.GetValueOrDefault(name), SigV4.Hex(bodySha256), Query);
            var expected = SigV4.Signature(_secret, _authorization, SigV4.StringToSign(_amzDate, _authorization.Scope, canonical));
            if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(_authorization.Signature)))
            {
                throw new EcsException(InvalidSignature,
                    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.");
            }
        }
    }
}
