using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Orchestrator.Contracts;

/// <summary>
/// How <c>orch</c> (and any gRPC client of the cluster and admin APIs) proves it holds an access key, without sending
/// the secret: metadata <c>x-orch-date</c> (UTC, <c>yyyyMMddTHHmmssZ</c>) and
/// <c>authorization: ORCH1-HMAC-SHA256 Credential=ACCESS_KEY_ID, Signature=HEX</c>, where the signature is
/// HMAC-SHA256(secret, "ORCH1-HMAC-SHA256\n" + date + "\n" + gRPC method path). The channel is TLS, so the signature
/// cannot be lifted off the wire; the date bounds how long one could be replayed.
/// </summary>
public static class CallSignature
{
    public const string Algorithm = "ORCH1-HMAC-SHA256";
    public const string DateHeader = "x-orch-date";
    public const string AuthorizationHeader = "authorization";
    public const string DateFormat = "yyyyMMdd'T'HHmmss'Z'";

    /// <summary>The two metadata values for a call of <paramref name="method"/> (e.g. <c>/orchestrator.cluster.v1.ClusterApi/Call</c>).</summary>
    public static (string Date, string Authorization) Sign(string accessKeyId, string secret, string method, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(accessKeyId);
        var date = now.UtcDateTime.ToString(DateFormat, CultureInfo.InvariantCulture);
        return (date, $"{Algorithm} Credential={accessKeyId}, Signature={Compute(secret, date, method)}");
    }

    public static string Compute(string secret, string date, string method)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{Algorithm}\n{date}\n{method}"));
        return Convert.ToHexStringLower(mac);
    }

    /// <summary>Splits an authorization value into its key id and signature; false when it is not of this scheme.</summary>
    public static bool TryParse(string? authorization, out string accessKeyId, out string signature)
    {
        accessKeyId = signature = "";
        if (authorization is null || authorization.Length > 512 || !authorization.StartsWith(Algorithm + " ", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var part in authorization[(Algorithm.Length + 1)..].Split(',', StringSplitOptions.TrimEntries))
        {
            if (part.StartsWith("Credential=", StringComparison.Ordinal))
            {
                accessKeyId = part["Credential=".Length..];
            }
            else if (part.StartsWith("Signature=", StringComparison.Ordinal))
            {
                signature = part["Signature=".Length..];
            }
        }

        return accessKeyId.Length > 0 && signature.Length == 64;
    }

    public static bool TryParseDate(string? date, out DateTimeOffset value) =>
        DateTimeOffset.TryParseExact(date, DateFormat, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);
}
