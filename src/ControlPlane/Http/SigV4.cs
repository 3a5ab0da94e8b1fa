using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Orchestrator.ControlPlane.Http;

/// <summary>
/// AWS Signature Version 4 for requests to this control plane's ECS API: the canonical request, the string to sign
/// and the signature, exactly as the AWS CLI and SDKs compute them for the service name <c>ecs</c>. Pure.
/// </summary>
public static class SigV4
{
    public const string Algorithm = "AWS4-HMAC-SHA256";
    public const string Service = "ecs";

    /// <summary>The parts of an <c>Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…</c> header.</summary>
    public sealed record Authorization(string AccessKeyId, string Date, string Region, string Service, IReadOnlyList<string> SignedHeaders, string Signature)
    {
        public string Scope => $"{Date}/{Region}/{Service}/aws4_request";
    }

    public static Authorization? ParseAuthorization(string header)
    {
        if (!header.StartsWith(Algorithm + " ", StringComparison.Ordinal))
        {
            return null;
        }

        var parts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in header[(Algorithm.Length + 1)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var pair = part.Split('=', 2);
            if (pair.Length == 2 && !parts.TryAdd(pair[0], pair[1]))
            {
                return null; // a parameter given twice is ambiguous: which one did the signer mean?
            }
        }

        if (!parts.TryGetValue("Credential", out var credential) || !parts.TryGetValue("SignedHeaders", out var signed) ||
            !parts.TryGetValue("Signature", out var signature))
        {
            return null;
        }

        var scope = credential.Split('/');
        return scope.Length == 5 && scope[4] == "aws4_request"
            ? new Authorization(scope[0], scope[1], scope[2], scope[3], signed.Split(';'), signature)
            : null;
    }

    /// <summary>The canonical request of a request without a query string.</summary>
    public static string CanonicalRequest(string method, string path, IReadOnlyList<string> signedHeaders, Func<string, string?> header, ReadOnlySpan<byte> body) =>
        CanonicalRequest(method, path, signedHeaders, header, Hex(SHA256.HashData(body)));

    /// <summary>The canonical request, given the hex SHA-256 of the body (hashed while it was read).</summary>
    public static string CanonicalRequest(string method, string path, IReadOnlyList<string> signedHeaders, Func<string, string?> header, string payloadHash, string canonicalQuery = "")
    {
        var builder = new StringBuilder();
        builder.Append(method).Append('\n');
        builder.Append(CanonicalPath(path)).Append('\n');
        builder.Append(canonicalQuery).Append('\n');
        foreach (var name in signedHeaders)
        {
            builder.Append(name).Append(':').Append(CanonicalValue(header(name) ?? "")).Append('\n');
        }

        builder.Append('\n');
        builder.Append(string.Join(';', signedHeaders)).Append('\n');
        builder.Append(payloadHash);
        return builder.ToString();
    }

    public static string StringToSign(string amzDate, string scope, string canonicalRequest) =>
        $"{Algorithm}\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";

    public static string Signature(string secretAccessKey, Authorization authorization, string stringToSign)
    {
        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + secretAccessKey), authorization.Date);
        key = Hmac(key, authorization.Region);
        key = Hmac(key, authorization.Service);
        key = Hmac(key, "aws4_request");
        return Hex(Hmac(key, stringToSign));
    }

    public static bool TryParseAmzDate(string? value, out DateTimeOffset date) =>
        DateTimeOffset.TryParseExact(value, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out date);

    /// <summary>Each path segment URI-encoded once (RFC 3986 unreserved characters kept), as botocore does for ECS.</summary>
    private static string CanonicalPath(string path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return "/";
        }

        return string.Join('/', path.Split('/').Select(segment => Uri.EscapeDataString(Uri.UnescapeDataString(segment))));
    }

    /// <summary>
    /// The canonical form of a raw query string: each name and value decoded and encoded again (RFC 3986 unreserved
    /// characters kept), sorted by name then value, joined with <c>&amp;</c>.
    /// </summary>
    public static string CanonicalQuery(string rawQuery)
    {
        ArgumentNullException.ThrowIfNull(rawQuery);
        static string Encode(string part) => Uri.EscapeDataString(Uri.UnescapeDataString(part.Replace('+', ' ')));
        return string.Join('&', rawQuery.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .Select(pair => (Name: Encode(pair[0]), Value: pair.Length > 1 ? Encode(pair[1]) : ""))
            .OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => $"{p.Name}={p.Value}"));
    }

    /// <summary>Trimmed, with runs of spaces collapsed to one.</summary>
    private static string CanonicalValue(string value) =>
        string.Join(' ', value.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries));

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    public static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);
}
