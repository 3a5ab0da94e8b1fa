using Orchestrator.ControlPlane;

if (ControlPlaneCommandLine.WantsHelp(args))
{
    Console.WriteLine(ControlPlaneCommandLine.Usage);
    return 0;
}

if (ControlPlaneCommandLine.FirstUnknown(args) is { } unknown)
{
    await Console.Error.WriteLineAsync($"Unknown option or missing value: {unknown} (see --help)").ConfigureAwait(false);
    return 2;
}

var app = ControlPlaneApp.Build(args);
await app.RunAsync().ConfigureAwait(false);
return 0;
