using System.Text.Json;

namespace Orchestrator.Cli;

/// <summary>
/// Where the control plane is and how to trust and sign for it. Each setting comes from the first source that has it:
/// the <c>--endpoint</c> option, the environment (<c>ORCH_ENDPOINT</c>, <c>ORCH_CA_FILE</c>, <c>ORCH_ACCESS_KEY_ID</c>
/// with <c>ORCH_SECRET_ACCESS_KEY</c>), the config file (<c>ORCH_CONFIG</c>, else <c>$XDG_CONFIG_HOME/orch/config.json</c>
/// or <c>~/.config/orch/config.json</c> when present), then the default endpoint. The key id and secret are one setting:
/// both come from the same source.
/// </summary>
internal sealed record ConnectionSettings(Uri Endpoint, string? CaFile, string? AccessKeyId, string? SecretAccessKey)
{
    public const string EndpointVariable = "ORCH_ENDPOINT";
    public const string CaFileVariable = "ORCH_CA_FILE";
    public const string AccessKeyIdVariable = "ORCH_ACCESS_KEY_ID";
    public const string SecretAccessKeyVariable = "ORCH_SECRET_ACCESS_KEY";
    public const string ConfigVariable = "ORCH_CONFIG";
    public const string DefaultEndpoint = "https://127.0.0.1:7070";

    /// <summary>What to tell a user whose credentials were refused or are missing.</summary>
    public const string CredentialsHint =
        $"set {AccessKeyIdVariable} and {SecretAccessKeyVariable}, or point {ConfigVariable} at a config file with accessKeyId and secretAccessKey";

    public bool HasAccessKey => AccessKeyId is not null && SecretAccessKey is not null;

    /// <summary>Never the secret: records print all their members.</summary>
    public override string ToString() =>
        $"{Endpoint.OriginalString} (CA file: {CaFile ?? "system trust"}, access key: {AccessKeyId ?? "none"})";

    /// <summary>
    /// Resolves the settings; <paramref name="warn"/> receives a one-line warning about a config file others can
    /// read. Throws a <see cref="CliException"/> (<see cref="ExitCodes.ConfigurationError"/>) for an unusable setting.
    /// </summary>
    public static ConnectionSettings Resolve(string? endpointOption, Func<string, string?> getVariable, Action<string> warn)
    {
        string? Variable(string name) => getVariable(name) is { Length: > 0 } value ? value : null;

        var file = ConfigFile.Find(Variable) is { } path ? ConfigFile.Read(path, warn) : null;

        var endpointText = NonEmpty(endpointOption) ?? Variable(EndpointVariable) ?? file?.Endpoint ?? DefaultEndpoint;
        var endpoint = ParseEndpoint(endpointText, file);

        var caFile = Variable(CaFileVariable) is { } fromEnvironment
            ? Path.GetFullPath(fromEnvironment)
            : file?.CaFile;

        string? keyId;
        string? secret;
        if (Variable(AccessKeyIdVariable) is not null || Variable(SecretAccessKeyVariable) is not null)
        {
            keyId = Variable(AccessKeyIdVariable);
            secret = Variable(SecretAccessKeyVariable);
            if (keyId is null || secret is null)
            {
                throw Invalid(keyId is null
                    ? $"{SecretAccessKeyVariable} is set but {AccessKeyIdVariable} is not; set both or neither."
                    : $"{AccessKeyIdVariable} is set but {SecretAccessKeyVariable} is not; set both or neither.");
            }
        }
        else
        {
            keyId = file?.AccessKeyId;
            secret = file?.SecretAccessKey;
        }

        return new ConnectionSettings(endpoint, caFile, keyId, secret);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static Uri ParseEndpoint(string value, ConfigFile? file) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw CliException.Local(
                $"The endpoint '{value}' is not an http:// or https:// URL (set --endpoint, {EndpointVariable}" +
                (file is null ? "" : $" or endpoint in {file.Path}") + ").");

    private static CliException Invalid(string message) => new(ExitCodes.ConfigurationError, message);

    /// <summary>The config file's settings, with <see cref="CaFile"/> made absolute against the file's folder.</summary>
    private sealed record ConfigFile(string Path, string? Endpoint, string? CaFile, string? AccessKeyId, string? SecretAccessKey)
    {
        private const UnixFileMode GroupOrOthersCanRead = UnixFileMode.GroupRead | UnixFileMode.OtherRead;

        /// <summary><c>ORCH_CONFIG</c> (which must exist), else the default file if it exists.</summary>
        public static string? Find(Func<string, string?> variable)
        {
            if (variable(ConfigVariable) is { } configured)
            {
                return System.IO.Path.GetFullPath(configured);
            }

            var home = variable("HOME") ?? variable("USERPROFILE");
            var configHome = variable("XDG_CONFIG_HOME") ?? (home is null ? null : System.IO.Path.Combine(home, ".config"));
            if (configHome is null)
            {
                return null;
            }

            var path = System.IO.Path.GetFullPath(System.IO.Path.Combine(configHome, "orch", "config.json"));
            return File.Exists(path) ? path : null;
        }

        public static ConfigFile Read(string path, Action<string> warn)
        {
            string text;
            try
            {
                text = File.ReadAllText(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw Invalid($"The config file {path} could not be read: {e.Message}");
            }

            ConfigFile file;
            try
            {
                using var document = JsonDocument.Parse(text, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    throw Invalid($"The config file {path} is not valid: it must be a JSON object such as {{\"endpoint\": \"https://…:7070\"}}.");
                }

                var root = document.RootElement;
                var caFile = String(root, "caFile", path);
                file = new ConfigFile(
                    path,
                    String(root, "endpoint", path),
                    caFile is null ? null : System.IO.Path.GetFullPath(caFile, System.IO.Path.GetDirectoryName(path)!),
                    String(root, "accessKeyId", path),
                    String(root, "secretAccessKey", path));
            }
            catch (JsonException e)
            {
                // Only where: the parser's message may quote a character of the file, which may be one of the secret's.
                throw Invalid($"The config file {path} is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}).");
            }

            if ((file.AccessKeyId is null) != (file.SecretAccessKey is null))
            {
                throw Invalid($"The config file {path} must have both accessKeyId and secretAccessKey, or neither.");
            }

            if (file.SecretAccessKey is not null && !OperatingSystem.IsWindows()
                && (File.GetUnixFileMode(path) & GroupOrOthersCanRead) != 0)
            {
                var mode = Convert.ToString((int)File.GetUnixFileMode(path), 8);
                warn($"Warning: the config file {path} holds a secret access key but others can read it (mode {mode}); run chmod 600 {path}.");
            }

            return file;
        }

        private static string? String(JsonElement root, string name, string path)
        {
            if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            return value.ValueKind == JsonValueKind.String
                ? NonEmpty(value.GetString())
                : throw Invalid($"The config file {path} is not valid: \"{name}\" must be a string.");
        }
    }
}
