using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Orchestrator.Agent.Configuration;

namespace Orchestrator.Agent.Tests.Configuration;

/// <summary>
/// deploy/windows/install.ps1 cannot run here (no PowerShell): what it writes is checked instead. Its table
/// (deploy/windows/agent-settings.txt) names only settings the agent's own parser knows, every parameter it names is
/// one of the script's, it covers every setting install.sh writes to the Linux agent.env and every install.sh agent
/// option has a parameter; a settings file written the way the script writes it is accepted by the agent
/// (<c>--settings-file</c>) and gives valid options; and the service's command line carries the file's path only.
/// </summary>
public sealed partial class WindowsInstallerTests
{
    private static readonly string Deploy = Path.Combine(RepositoryRoot(), "deploy");

    /// <summary>install.sh options with no Windows counterpart: systemd, apt-get, and the control plane's own.</summary>
    private static readonly string[] LinuxOnly = ["--no-systemd", "--docker-install", "--listen", "--grpc-port", "--http-port", "--tls-san"];

    private static IReadOnlyList<(string Parameter, string Variable, string InstallShOption)> Table() =>
        [.. File.ReadAllLines(Path.Combine(Deploy, "windows", "agent-settings.txt"))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(p => (p[0], p[1], p[2]))];

    private static string InstallPs1() => File.ReadAllText(Path.Combine(Deploy, "windows", "install.ps1"));

    private static string InstallSh() => File.ReadAllText(Path.Combine(Deploy, "install.sh"));

    /// <summary>The names in install.ps1's param( … ) block.</summary>
    private static HashSet<string> Ps1Parameters()
    {
        var script = InstallPs1();
        var start = script.IndexOf("param(", StringComparison.Ordinal);
        var end = script.IndexOf("\n)", start, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "install.ps1 has no param( … ) block");
        return [.. ParameterName().Matches(script[start..end]).Select(m => m.Groups[1].Value)];
    }

    [Fact]
    public void Table_NamesOnlyTheAgentsSettings_AndOnlyInstallPs1Parameters()
    {
        var table = Table();
        Assert.NotEmpty(table);
        var parameters = Ps1Parameters();
        foreach (var (parameter, variable, _) in table)
        {
            Assert.True(AgentCommandLine.EnvironmentVariables.ContainsKey(variable), $"{variable} is not a setting the agent reads");
            Assert.Contains(parameter, parameters);
        }

        Assert.Equal(table.Count, table.Select(r => r.Variable).Distinct().Count());
        Assert.Contains("agent-settings.txt", InstallPs1(), StringComparison.Ordinal);
    }

    [Fact]
    public void Table_CoversEverySettingInstallShWrites_AndEveryInstallShAgentOptionHasAParameter()
    {
        var table = Table();
        var installSh = InstallSh();
        // The Linux agent.env: the echo "ORCH_…=" lines of install.sh's agent path.
        var agentPath = installSh[installSh.IndexOf("# ---------------------------------------------------------------------------------------------------------- agent", StringComparison.Ordinal)..];
        var written = EnvLine().Matches(agentPath).Select(m => m.Groups[1].Value).ToHashSet();
        Assert.NotEmpty(written);
        Assert.Equal(written.Order(), table.Select(r => r.Variable).Order());

        var options = OptionCase().Matches(installSh).Select(m => m.Groups[1].Value).ToHashSet();
        foreach (var (_, _, option) in table)
        {
            Assert.Contains(option, options);
        }

        var parameters = Ps1Parameters();
        foreach (var option in options.Except(LinuxOnly))
        {
            var pascal = string.Concat(option.TrimStart('-').Split('-').Select(w => char.ToUpperInvariant(w[0]) + w[1..]));
            Assert.True(parameters.Contains(pascal), $"install.sh {option} has no install.ps1 -{pascal}");
        }
    }

    [Fact]
    public void SettingsFile_AsInstallPs1WritesIt_IsAcceptedByTheAgent_AndGivesValidOptions()
    {
        var directory = Directory.CreateTempSubdirectory("orch-ps1-");
        // install.ps1 writes -CaFile resolved to a full path; the agent checks that it exists.
        var caFile = Path.Combine(directory.FullName, "ca.crt");
        File.WriteAllText(caFile, "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");
        var values = new Dictionary<string, string>
        {
            ["Endpoint"] = "https://control-plane.example:7070",
            ["Cluster"] = "prod",
            ["DataDir"] = @"C:\ProgramData\Orchestrator\agent",
            ["DockerHost"] = "npipe://./pipe/docker_engine",
            ["Attributes"] = "site=lab,rack=3",
            ["CaFile"] = caFile,
            ["CaFingerprint"] = "sha256:" + new string('a', 64),
            ["ActivationId"] = "act-0123",
            ["ActivationCode"] = "code-secret",
        };
        var table = Table();
        Assert.Equal(values.Keys.Order(), table.Select(r => r.Parameter).Order());
        // install.ps1: "$($row.Variable)=$value" for each row with a value.
        Assert.Contains("\"$($row.Variable)=$value\"", InstallPs1(), StringComparison.Ordinal);
        var file = Path.Combine(directory.FullName, "agent.env");
        File.WriteAllLines(file, table.Select(r => $"{r.Variable}={values[r.Parameter]}"));
        try
        {
            // The service's command line (install.ps1's binaryPath), with nothing from the environment.
            var (parsed, remaining) = AgentCommandLine.Parse(["--settings-file", file], _ => null);
            Assert.Empty(remaining);
            var options = new AgentOptions();
            new ConfigurationBuilder().AddInMemoryCollection(parsed).Build().GetSection(AgentOptions.SectionName).Bind(options);

            Assert.Equal(values["Endpoint"], options.Endpoint);
            Assert.Equal(values["Cluster"], options.Cluster);
            Assert.Equal(values["DataDir"], options.DataDir);
            Assert.Equal(values["DockerHost"], options.DockerHost);
            Assert.Equal(values["CaFile"], options.CaFile);
            Assert.Equal(values["CaFingerprint"], options.CaFingerprint);
            Assert.Equal(values["ActivationId"], options.ActivationId);
            Assert.Equal(values["ActivationCode"], options.ActivationCode);
            Assert.Equal("site=lab,rack=3", options.Attributes);
            var validation = new AgentOptionsValidator().Validate(null, options);
            Assert.True(validation.Succeeded, validation.FailureMessage);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void ServiceCommandLine_CarriesTheSettingsFileOnly()
    {
        var binaryPath = BinaryPath().Match(InstallPs1());
        Assert.True(binaryPath.Success, "install.ps1 sets no $binaryPath");
        Assert.Equal("\"`\"$Exe`\" --settings-file `\"$EnvFile`\"\"", binaryPath.Groups[1].Value);
        Assert.Contains("-BinaryPathName $binaryPath", InstallPs1(), StringComparison.Ordinal);
        Assert.Contains("binPath= $binaryPath", InstallPs1(), StringComparison.Ordinal);
    }

    [Fact]
    public void SettingsFile_WinsOverTheEnvironment_FlagsWinOverIt_AndAStrangeLineIsRefusedWithoutItsValue()
    {
        var directory = Directory.CreateTempSubdirectory("orch-settings-");
        try
        {
            var file = Path.Combine(directory.FullName, "agent.env");
            File.WriteAllLines(file, ["# comment", "", "ORCH_CLUSTER=from-file", "ORCH_ENDPOINT=http://10.0.0.1:7070"]);
            var environment = new Dictionary<string, string> { ["ORCH_CLUSTER"] = "from-env", ["ORCH_DATA_DIR"] = "/env" };
            var (values, _) = AgentCommandLine.Parse([$"--settings-file={file}", "--endpoint", "http://10.0.0.2:7070"], environment.GetValueOrDefault);
            var options = new AgentOptions();
            new ConfigurationBuilder().AddInMemoryCollection(values).Build().GetSection(AgentOptions.SectionName).Bind(options);
            Assert.Equal("from-file", options.Cluster);
            Assert.Equal("http://10.0.0.2:7070", options.Endpoint);
            Assert.Equal("/env", options.DataDir);

            File.WriteAllLines(file, ["ORCH_NOT_A_SETTING=hunter2"]);
            var unknown = Assert.Throws<ArgumentException>(() => AgentCommandLine.Parse(["--settings-file", file], _ => null));
            Assert.Contains("line 1", unknown.Message, StringComparison.Ordinal);
            Assert.Contains("ORCH_NOT_A_SETTING", unknown.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("hunter2", unknown.Message, StringComparison.Ordinal);

            File.WriteAllLines(file, ["just-a-secret-code"]);
            var malformed = Assert.Throws<ArgumentException>(() => AgentCommandLine.Parse(["--settings-file", file], _ => null));
            Assert.DoesNotContain("just-a-secret-code", malformed.Message, StringComparison.Ordinal);

            var missing = Assert.Throws<ArgumentException>(() => AgentCommandLine.Parse(["--settings-file", Path.Combine(directory.FullName, "none")], _ => null));
            Assert.Contains("cannot be read", missing.Message, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "deploy", "windows", "install.ps1")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No deploy/windows/install.ps1 above {AppContext.BaseDirectory}");
    }

    [GeneratedRegex(@"\[(?:string|switch)\]\$(\w+)")]
    private static partial Regex ParameterName();

    [GeneratedRegex(@"echo ""(ORCH_[A-Z_]+)=")]
    private static partial Regex EnvLine();

    [GeneratedRegex(@"^\s+(--[a-z-]+)\)", RegexOptions.Multiline)]
    private static partial Regex OptionCase();

    [GeneratedRegex(@"\$binaryPath = (.+)")]
    private static partial Regex BinaryPath();
}
