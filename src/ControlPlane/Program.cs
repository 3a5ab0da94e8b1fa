using Orchestrator.ControlPlane;

return await ControlPlaneApp.RunAsync(args, Console.Error).ConfigureAwait(false);
