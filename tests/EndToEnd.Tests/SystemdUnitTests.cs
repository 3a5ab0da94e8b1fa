using Orchestrator.Lab;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>deploy/systemd's units pass <c>systemd-analyze verify</c>, with their /opt/orch paths pointing at real executables.</summary>
public sealed class SystemdUnitTests
{
    [Fact(Timeout = 60_000)]
    public async Task Units_PassSystemdAnalyzeVerify()
    {
        var analyze = new[] { "/usr/bin/systemd-analyze", "/bin/systemd-analyze" }.FirstOrDefault(File.Exists);
        Assert.SkipWhen(analyze is null, "systemd-analyze is not installed (apt-get install systemd)");
        var root = Directory.CreateTempSubdirectory("orch-units-");
        try
        {
            // The programs install.sh puts under the prefix, as stand-ins: verify checks that ExecStart is executable.
            foreach (var program in new[] { "bin/agent/Agent", "bin/controlplane/ControlPlane" })
            {
                var path = Path.Combine(root.FullName, "opt", program);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                await File.WriteAllTextAsync(path, "#!/bin/sh\nexit 0\n", TestContext.Current.CancellationToken);
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                }
            }

            var units = Directory.GetFiles(Path.Combine(Programs.RepositoryRoot, "deploy", "systemd"), "*.service");
            Assert.NotEmpty(units);
            var copies = new List<string>();
            foreach (var unit in units)
            {
                var copy = Path.Combine(root.FullName, Path.GetFileName(unit));
                var text = await File.ReadAllTextAsync(unit, TestContext.Current.CancellationToken);
                await File.WriteAllTextAsync(copy, text.Replace("/opt/orch/", Path.Combine(root.FullName, "opt") + "/", StringComparison.Ordinal), TestContext.Current.CancellationToken);
                copies.Add(copy);
            }

            var result = await Commands.RunAsync(analyze!, ["verify", .. copies], TimeSpan.FromSeconds(50));
            // Units the host does not have (docker.service on a machine without Docker) are the host's matter, not the files'.
            var problems = (result.Stdout + result.Stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(l => !l.Contains("docker.service", StringComparison.Ordinal) && !l.Contains("network-online.target", StringComparison.Ordinal))
                .ToList();
            Assert.True(problems.Count == 0, $"systemd-analyze verify (exit {result.ExitCode}):\n{string.Join('\n', problems)}");
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }
}
