using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Orchestrator.Ecs;

namespace Orchestrator.ControlPlane.Http;

/// <summary>
/// Checks the SigV4 signature of an ECS API request against the configured access keys, with AWS's error types.
/// With no keys configured every request is accepted (the options validator allows that on loopback only).
/// </summary>
public sealed class RequestAuthenticator(AccessKeyStore keys, IOptions<ControlPlaneOptions> options, TimeProvider clock)
{
    public const string MissingAuthenticationToken = "MissingAuthenticationTokenException";
    public const string UnrecognizedClient = "UnrecognizedClientException";
    public const string InvalidSignature = "InvalidSignatureException";

    public bool Required => !keys.IsEmpty;

    /// <summary>Returns the access key ID that signed the request (null when keys are not required).</summary>
    public string? Verify(HttpContext context, ReadOnlySpan<byte> body)
    {
        if (!Required)
        {
            return null;
        }

        var request = context.Request;
        var header = request.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            throw new EcsException(MissingAuthenticationToken, "Missing Authentication Token");
        }

        var authorization = SigV4.ParseAuthorization(header)
            ?? throw new EcsException(InvalidSignature, "The Authorization header is not a valid AWS4-HMAC-SHA256 authorization.");
        var secret = keys.SecretOf(authorization.AccessKeyId)
            ?? throw new EcsException(UnrecognizedClient, "The security token included in the request is invalid.");

        var region = options.Value.Region;
        if (authorization.Service != SigV4.Service || authorization.Region != region)
        {
            throw new EcsException(InvalidSignature,
                $"Credential should be scoped to a valid region and service: expected {region}/{SigV4.Service}, got {authorization.Region}/{authorization.Service}.");
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

        if (!authorization.SignedHeaders.Contains("host") || !authorization.SignedHeaders.Contains("x-amz-date"))
        {
            throw new EcsException(InvalidSignature, "The signed headers must include host and x-amz-date.");
        }

        var path = context.Features.Get<IHttpRequestFeature>()?.RawTarget is { } raw ? raw.Split('?', 2)[0] : (request.PathBase + request.Path).ToString();
        var canonical = SigV4.CanonicalRequest(request.Method, path, authorization.SignedHeaders, name => request.Headers[name].ToString(), body);
        var expected = SigV4.Signature(secret, authorization, SigV4.StringToSign(amzDate, authorization.Scope, canonical));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(authorization.Signature)))
        {
            throw new EcsException(InvalidSignature,
                "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.");
        }

        return authorization.AccessKeyId;
    }
}
