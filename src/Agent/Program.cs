using Microsoft.Extensions.Options;
using Orchestrator.Agent;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Security;

if (args.Any(a => a is "--help" or "-h"))
{
    Console.WriteLine(AgentCommandLine.Usage);
    return 0;
}

// agent --deregister: the host's instance leaves the cluster (install.sh agent --uninstall), then the program ends.
var deregister = args.Contains("--deregister");
args = [.. args.Where(a => a != "--deregister")];

IReadOnlyList<KeyValuePair<string, string?>> values;
IReadOnlyList<string> remaining;
try
{
    (values, remaining) = AgentCommandLine.Parse(args, Environment.GetEnvironmentVariable);
}
catch (ArgumentException e)
{
    await Console.Error.WriteLineAsync($"agent: {e.Message} (see --help)");
    return 2;
}

if (AgentCommandLine.FirstUnknown(remaining) is { } unknown)
{
    await Console.Error.WriteLineAsync($"agent: unknown option or missing value: {unknown} (see --help)");
    return 2;
}

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [.. remaining] });
// Flags and ORCH_* variables win over appsettings and plain environment variables; --Agent:Key=value wins over all.
builder.Configuration.AddInMemoryCollection(values);
builder.Configuration.AddCommandLine([.. remaining]);
// Runs as a systemd service (Type=notify) on Linux and as a Windows service on Windows; as a plain process otherwise.
builder.Services.AddSystemd();
builder.Services.AddWindowsService(o => o.ServiceName = "OrchestratorAgent");
// Log scopes carry the current trace and span ids; --Telemetry:LogFormat=json writes JSON lines that include them.
builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
if (string.Equals(builder.Configuration["Telemetry:LogFormat"], "json", StringComparison.OrdinalIgnoreCase))
{
    builder.Logging.ClearProviders();
    builder.Logging.AddJsonConsole(o =>
    {
        o.IncludeScopes = true;
        o.UseUtcTimestamp = true;
        o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
    });
}

builder.Services.AddAgent(builder.Configuration);

using var host = builder.Build();
try
{
    // Fail fast, before anything starts, with messages that name the setting.
    _ = host.Services.GetRequiredService<IOptions<AgentOptions>>().Value;
}
catch (OptionsValidationException e)
{
    foreach (var failure in e.Failures)
    {
        await Console.Error.WriteLineAsync($"Invalid configuration: {failure}");
    }

    return 2;
}

if (deregister)
{
    return await SelfDeregistration.RunAsync(host.Services, Console.Out, Console.Error, CancellationToken.None);
}

// Resolved before the run: RunAsync disposes the host and its services.
var exit = host.Services.GetRequiredService<AgentExit>();
await host.RunAsync();
if (exit.Message is not null)
{
    // Already logged; one line on stderr for whoever started the agent.
    await Console.Error.WriteLineAsync(exit.Message);
    return exit.Code;
}

return 0;
