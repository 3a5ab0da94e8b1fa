using Orchestrator.ControlPlane;

if (ControlPlaneCommandLine.WantsHelp(args))
{
    Console.WriteLine(ControlPlaneCommandLine.Usage);
    return 0;
}

if (ControlPlaneCommandLine.FirstUnknown(args) is { } unknown)
{
    await Console.Error.WriteLineAsync($"controlplane: unknown option or missing value: {unknown} (see --help)").ConfigureAwait(false);
    return 2;
}

return await ControlPlaneApp.RunAsync(args, Console.Error).ConfigureAwait(false);
