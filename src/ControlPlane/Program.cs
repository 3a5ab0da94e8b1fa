using Orchestrator.ControlPlane;

var app = ControlPlaneApp.Build(args);
await app.RunAsync().ConfigureAwait(false);
