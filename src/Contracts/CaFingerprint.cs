using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Orchestrator.Contracts;

/// <summary>
/// The fingerprint that names a cluster CA: <c>sha256:</c> and the lowercase hex SHA-256 of its DER encoding (what
/// <c>openssl x509 -noout -fingerprint -sha256</c> prints, without the colons).
/// </summary>
public static class CaFingerprint
{
    public const string Prefix = "sha256:";

    public static string Of(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return Prefix + Convert.ToHexStringLower(SHA256.HashData(certificate.RawData));
    }

    /// <summary>Whether <paramref name="given"/> (with or without the prefix, colons and case ignored) names <paramref name="certificate"/>.</summary>
    public static bool Matches(X509Certificate2 certificate, string given)
    {
        ArgumentNullException.ThrowIfNull(given);
        var normalized = given.Trim().Replace(":", "", StringComparison.Ordinal).ToLowerInvariant();
        if (normalized.StartsWith("sha256", StringComparison.Ordinal))
        {
            normalized = normalized["sha256".Length..];
        }

        var expected = Of(certificate)[Prefix.Length..];
        return CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(normalized), System.Text.Encoding.ASCII.GetBytes(expected));
    }
}
