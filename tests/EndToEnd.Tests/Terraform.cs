using Orchestrator.Lab;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>
/// Terraform with the hashicorp/aws provider from a local filesystem mirror: <c>terraform init</c> never reaches the
/// Internet (the CLI configuration names only the mirror, and <c>direct {}</c> excludes hashicorp/aws).
/// </summary>
public sealed class Terraform
{
    private static readonly string[] TerraformPaths = ["/usr/local/bin/terraform", "/usr/bin/terraform", "/opt/terraform/terraform"];

    private static readonly string[] MirrorRoots =
        ["/opt/tf-plugins", "/usr/share/terraform/plugins", "/usr/local/share/terraform/plugins", "/root/.terraform.d/plugins", "/root/.local/share/terraform/plugins"];

    private readonly string _directory;
    private readonly Dictionary<string, string> _environment;

    private Terraform(string program, string mirror, string directory, IReadOnlyDictionary<string, string> environment)
    {
        Program = program;
        _directory = directory;
        var cliConfig = Path.Combine(directory, "terraform.rc");
        File.WriteAllText(cliConfig, $$"""
            provider_installation {
              filesystem_mirror {
                path    = "{{mirror}}"
                include = ["registry.terraform.io/hashicorp/aws"]
              }
              direct {
                exclude = ["registry.terraform.io/hashicorp/aws"]
              }
            }
            """);
        _environment = new Dictionary<string, string>(environment)
        {
            ["TF_CLI_CONFIG_FILE"] = cliConfig,
            ["TF_IN_AUTOMATION"] = "1",
            ["TF_INPUT"] = "0",
            ["CHECKPOINT_DISABLE"] = "1",
            ["TF_PLUGIN_CACHE_DIR"] = "",
            ["TF_DATA_DIR"] = Path.Combine(directory, ".terraform"),
        };
    }

    public string Program { get; }

    /// <summary>Terraform and the provider mirror, or why the test cannot run here.</summary>
    public static (string? Program, string? Mirror, string? Missing) Find()
    {
        var program = TerraformPaths.FirstOrDefault(File.Exists)
            ?? (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, "terraform")).FirstOrDefault(File.Exists);
        if (program is null)
        {
            return (null, null, "terraform is not installed (no terraform on PATH or in /usr/local/bin)");
        }

        var mirror = MirrorRoots.FirstOrDefault(root =>
            Directory.Exists(Path.Combine(root, "registry.terraform.io", "hashicorp", "aws")) &&
            Directory.EnumerateFiles(Path.Combine(root, "registry.terraform.io", "hashicorp", "aws"), "terraform-provider-aws*", SearchOption.AllDirectories).Any());
        return mirror is null
            ? (program, null, $"the hashicorp/aws provider is not in a filesystem mirror (looked in {string.Join(", ", MirrorRoots)})")
            : (program, mirror, null);
    }

    /// <summary>The provider version the mirror holds (the newest when it holds several).</summary>
    public static string ProviderVersion(string mirror) =>
        Directory.EnumerateDirectories(Path.Combine(mirror, "registry.terraform.io", "hashicorp", "aws"))
            .Select(Path.GetFileName).OfType<string>().OrderBy(v => Version.TryParse(v, out var parsed) ? parsed : new Version(0, 0)).Last();

    public static Terraform In(string program, string mirror, string directory, IReadOnlyDictionary<string, string> environment) =>
        new(program, mirror, directory, environment);

    public Task<CommandResult> RunAsync(params string[] arguments) =>
        Commands.RunAsync(Program, [$"-chdir={_directory}", .. arguments], TimeSpan.FromMinutes(8), _environment);

    /// <summary>Runs Terraform and writes the command, its exit code and the tails of its output to the test's output.</summary>
    public async Task<CommandResult> RunLoggedAsync(ITestOutputHelper? output, params string[] arguments)
    {
        var result = await RunAsync(arguments);
        output?.WriteLine($"$ terraform {string.Join(' ', arguments)} → exit {result.ExitCode}\n{Tail(result.Stdout)}\n{Tail(result.Stderr)}");
        return result;
    }

    private static string Tail(string text) => text.Length <= 6000 ? text : "…" + text[^6000..];
}
