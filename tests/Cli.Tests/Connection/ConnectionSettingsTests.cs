using Orchestrator.Cli.Tests.Fakes;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Cli.Tests.Connection;

/// <summary>Where orch takes the endpoint, CA file and access key from: option, environment, config file, default.</summary>
public sealed class ConnectionSettingsTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData(true, true, "https://flag.example:1/")]
    [InlineData(false, true, "https://env.example:2/")]
    [InlineData(false, false, "https://file.example:3/")]
    public void Endpoint_OptionBeatsEnvironmentBeatsConfigFile(bool option, bool environment, string expected)
    {
        var config = _directory.Write("orch.json", """{"endpoint": "https://file.example:3"}""");
        var variables = new List<(string, string)> { ("ORCH_CONFIG", config) };
        if (environment)
        {
            variables.Add(("ORCH_ENDPOINT", "https://env.example:2"));
        }

        var settings = Resolve(option ? "https://flag.example:1" : null, [.. variables]);

        Assert.Equal(expected, settings.Endpoint.ToString());
    }

    [Fact]
    public void ConfigFile_OrchConfigBeatsTheDefaultFile()
    {
        _directory.Write("home/.config/orch/config.json", """{"endpoint": "https://default-file.example"}""");
        var config = _directory.Write("elsewhere.json", """{"endpoint": "https://orch-config.example"}""");

        var settings = Resolve(null, ("HOME", Home), ("ORCH_CONFIG", config));

        Assert.Equal("orch-config.example", settings.Endpoint.Host);
    }

    [Fact]
    public void ConfigFile_DefaultFileUnderHomeIsReadWhenPresent()
    {
        _directory.Write("home/.config/orch/config.json", """{"endpoint": "https://default-file.example", "accessKeyId": "AKFILE", "secretAccessKey": "file-secret"}""");

        var settings = Resolve(null, ("HOME", Home));

        Assert.Equal("default-file.example", settings.Endpoint.Host);
        Assert.Equal("AKFILE", settings.AccessKeyId);
        Assert.Equal("file-secret", settings.SecretAccessKey);
    }

    [Fact]
    public void ConfigFile_XdgConfigHomeBeatsHome()
    {
        _directory.Write("home/.config/orch/config.json", """{"endpoint": "https://home.example"}""");
        _directory.Write("xdg/orch/config.json", """{"endpoint": "https://xdg.example"}""");

        var settings = Resolve(null, ("HOME", Home), ("XDG_CONFIG_HOME", Path.Combine(_directory.Path, "xdg")));

        Assert.Equal("xdg.example", settings.Endpoint.Host);
    }

    [Fact]
    public void Nothing_DefaultsToTlsOnLoopbackWithoutKey()
    {
        var settings = Resolve(null, ("HOME", Home));

        Assert.Equal(new Uri("https://127.0.0.1:7070"), settings.Endpoint);
        Assert.Null(settings.CaFile);
        Assert.False(settings.HasAccessKey);
    }

    [Fact]
    public void CaFile_InConfigFile_IsRelativeToTheFilesFolder()
    {
        var config = _directory.Write("cluster/config.json", """{"caFile": "pki/ca.crt"}""");

        var settings = Resolve(null, ("ORCH_CONFIG", config));

        Assert.Equal(Path.Combine(_directory.Path, "cluster", "pki", "ca.crt"), settings.CaFile);
    }

    [Fact]
    public void CaFile_EnvironmentBeatsConfigFile()
    {
        var config = _directory.Write("config.json", """{"caFile": "file-ca.crt"}""");
        var fromEnvironment = Path.Combine(_directory.Path, "env-ca.crt");

        var settings = Resolve(null, ("ORCH_CONFIG", config), ("ORCH_CA_FILE", fromEnvironment));

        Assert.Equal(fromEnvironment, settings.CaFile);
    }

    [Fact]
    public void AccessKey_EnvironmentPairBeatsConfigFilePair()
    {
        var config = _directory.Write("config.json", """{"accessKeyId": "AKFILE", "secretAccessKey": "file-secret"}""");

        var settings = Resolve(null, ("ORCH_CONFIG", config), ("ORCH_ACCESS_KEY_ID", "AKENV"), ("ORCH_SECRET_ACCESS_KEY", "env-secret"));

        Assert.Equal(("AKENV", "env-secret"), (settings.AccessKeyId, settings.SecretAccessKey));
        Assert.DoesNotContain("env-secret", settings.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AccessKey_IdWithoutSecretInEnvironment_IsAConfigurationErrorAndExits253()
    {
        var result = await CliHarness.RunAsync(["cluster", "list"], ("ORCH_ACCESS_KEY_ID", "AKENV"));

        Assert.Equal(253, result.ExitCode);
        Assert.Equal("ORCH_ACCESS_KEY_ID is set but ORCH_SECRET_ACCESS_KEY is not; set both or neither.", result.Stderr.Trim());
    }

    [Theory]
    [InlineData("{\"endpoint\": ")]
    [InlineData("[\"https://x\"]")]
    [InlineData("{\"endpoint\": 7070}")]
    public async Task ConfigFile_Malformed_OneLineErrorNamingTheFileAndExits253(string text)
    {
        var config = _directory.Write("config.json", text);

        var result = await CliHarness.RunAsync(["cluster", "list"], ("ORCH_CONFIG", config));

        Assert.Equal(253, result.ExitCode);
        Assert.StartsWith($"The config file {config} is not valid", result.Stderr, StringComparison.Ordinal);
        Assert.Single(result.Stderr.Trim().Split('\n'));
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task ConfigFile_MalformedAroundTheSecret_ErrorDoesNotQuoteIt()
    {
        var config = _directory.Write("config.json", """{"accessKeyId": "AK1", "secretAccessKey": Zsecret}""");

        var result = await CliHarness.RunAsync(["cluster", "list"], ("ORCH_CONFIG", config));

        Assert.Equal(253, result.ExitCode);
        Assert.Equal($"The config file {config} is not valid JSON (line 1, byte 43).", result.Stderr.Trim());
    }

    [Fact]
    public async Task ConfigFile_OrchConfigMissing_ErrorNamingTheFileAndExits253()
    {
        var missing = Path.Combine(_directory.Path, "missing.json");

        var result = await CliHarness.RunAsync(["cluster", "list"], ("ORCH_CONFIG", missing));

        Assert.Equal(253, result.ExitCode);
        Assert.StartsWith($"The config file {missing} could not be read", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigFile_EndToEnd_EndpointAndKeyFromTheFileAreUsed()
    {
        await using var server = await FakeClusterApiServer.StartAsync(
            TestContext.Current.CancellationToken, new FakeServerOptions { Keys = new Dictionary<string, FakeKey> { ["AKFILE"] = new("file-secret") } });
        server.Api.On("ListClusters", new ListClustersResponse([], null));
        server.Api.On("DescribeClusters", new DescribeClustersResponse([], []));
        var config = _directory.Write("config.json", $$"""{"endpoint": "{{server.Url}}", "accessKeyId": "AKFILE", "secretAccessKey": "file-secret"}""");

        var result = await CliHarness.RunAsync(["cluster", "list"], ("ORCH_CONFIG", config));

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Stderr);
        Assert.Equal("ListClusters", server.Api.Calls.First().Action);
    }

    [Fact]
    public async Task ConfigFile_ReadableByOthers_WarnsOnStderrButWorks()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix file modes only.");
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Api.On("ListClusters", new ListClustersResponse([], null));
        server.Api.On("DescribeClusters", new DescribeClustersResponse([], []));
        var config = _directory.Write("config.json", $$"""{"endpoint": "{{server.Url}}", "accessKeyId": "AK1", "secretAccessKey": "open-secret"}""");
        SetMode(config, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var result = await CliHarness.RunAsync(["cluster", "list"], ("ORCH_CONFIG", config));

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            $"Warning: the config file {config} holds a secret access key but others can read it (mode 644); run chmod 600 {config}.",
            result.Stderr.Trim());
        Assert.DoesNotContain("open-secret", result.Stdout + result.Stderr, StringComparison.Ordinal);
    }

    private string Home => Path.Combine(_directory.Path, "home");

    private static ConnectionSettings Resolve(string? endpointOption, params (string Name, string Value)[] variables)
    {
        var warnings = new List<string>();
        var settings = ConnectionSettings.Resolve(endpointOption, CliHarness.Environment(variables), warnings.Add);
        Assert.Empty(warnings);
        return settings;
    }

    private static void SetMode(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }
    }
}
