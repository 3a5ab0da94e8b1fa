using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Orchestrator.ControlPlane.Security;

/// <summary>
/// The access rule of the control plane's unsigned HTTP reads (<c>/metrics</c>, <c>/discovery/v1</c>): without a token
/// only loopback callers (403 otherwise); with the token of <c>--metrics-token-file</c>, any caller sending
/// <c>Authorization: Bearer TOKEN</c> (compared in constant time) and nobody else (401).
/// </summary>
public static class LoopbackOrBearer
{
    public static (int Status, string Message)? Check(HttpContext context, byte[]? token, string what)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (token is null)
        {
            return context.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote)
                ? null
                : (StatusCodes.Status403Forbidden, $"{what} are served to loopback callers only; set --metrics-token-file to read them from elsewhere\n");
        }

        var header = context.Request.Headers.Authorization.ToString();
        const string Scheme = "Bearer ";
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) ||
            !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header[Scheme.Length..].Trim()), token))
        {
            return (StatusCodes.Status401Unauthorized, $"a bearer token is required for {what}\n");
        }

        return null;
    }

    /// <summary>The token of <c>--metrics-token-file</c>, or null; an empty file is refused rather than letting everyone in.</summary>
    public static byte[]? ReadToken(string? file)
    {
        var token = file is { Length: > 0 } ? Encoding.UTF8.GetBytes(File.ReadAllText(file).Trim()) : null;
        return token is { Length: 0 } ? throw new InvalidOperationException($"The metrics token file {file} is empty.") : token;
    }
}
