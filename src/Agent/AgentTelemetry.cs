using System.Diagnostics.Metrics;
using Orchestrator.Agent.Stats;
using Orchestrator.Agent.Telemetry;
using Orchestrator.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Orchestrator.Agent;

/// <summary>
/// The agent's telemetry: the OpenTelemetry SDK (metrics unless <c>Telemetry:Enabled=false</c>, served for Prometheus
/// at the introspection endpoint's <c>/metrics</c>, and exported over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is
/// set; traces when an OTLP endpoint or <c>Telemetry:SpanFile</c> is configured), and the per-task CPU and memory
/// gauges over the stats sampler's latest samples.
/// </summary>
public static class AgentTelemetry
{
    public static IServiceCollection AddAgentTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddMetrics();
        services.AddSingleton<AgentMetrics>();
        services.AddSingleton<TaskStatsGauges>();
        services.AddHostedService(sp => sp.GetRequiredService<TaskStatsGauges>());
        if (!configuration.GetValue("Telemetry:Enabled", true))
        {
            return services;
        }

        var otlp = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var spanFile = configuration["Telemetry:SpanFile"];
        var otel = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(configuration["OTEL_SERVICE_NAME"] ?? "orch-agent"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(AgentMetrics.MeterName).AddRuntimeInstrumentation().AddPrometheusExporter();
                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }
            });
        if (otlp || !string.IsNullOrWhiteSpace(spanFile))
        {
            otel.WithTracing(tracing =>
            {
                tracing.AddSource(AgentMetrics.MeterName).AddGrpcClientInstrumentation().AddHttpClientInstrumentation();
                if (otlp)
                {
                    tracing.AddOtlpExporter();
                }

                if (!string.IsNullOrWhiteSpace(spanFile))
                {
                    tracing.AddProcessor(new SimpleActivityExportProcessor(new SpanFileExporter(spanFile)));
                }
            });
        }

        return services;
    }
}

/// <summary>Per-task CPU and memory, per container, from <see cref="StatsSampler"/>'s latest samples (read at each collection).</summary>
public sealed class TaskStatsGauges : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public TaskStatsGauges(AgentMetrics metrics, StatsSampler stats)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(stats);
        metrics.Meter.CreateObservableGauge("orch.task.cpu.utilization",
            () => stats.AllLatest().Select(s => new Measurement<double>(s.Summary.CpuPercent, Labels(s))).ToList(),
            "%", "Each running container's CPU use (percent of one CPU), from the latest stats sample.");
        metrics.Meter.CreateObservableGauge("orch.task.memory.usage",
            () => stats.AllLatest().Select(s => new Measurement<long>(s.Summary.MemoryUsedBytes, Labels(s))).ToList(),
            "By", "Each running container's memory use, from the latest stats sample.");
    }

    private static KeyValuePair<string, object?>[] Labels(ContainerStats s) =>
    [
        new("task", s.TaskArn[(s.TaskArn.LastIndexOf('/') + 1)..]),
        new("container", s.ContainerName),
    ];
}
