using System.Diagnostics;
using System.Text.Json;
using OpenTelemetry;

namespace Orchestrator.Telemetry;

/// <summary>
/// Appends each finished span as one JSON line (trace and span ids, parent, name, source, start, duration, the
/// span's <c>orch.*</c> tags) to a file: <c>Telemetry:SpanFile</c>, for tests and for looking at traces without a
/// collector. Other tags (URLs, peers) are left out. One source for both programs (each compiles it in: it needs
/// OpenTelemetry, which the shared libraries do not reference).
/// </summary>
public sealed class SpanFileExporter(string path) : BaseExporter<Activity>
{
    private readonly Lock _gate = new();

    public override ExportResult Export(in Batch<Activity> batch)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            foreach (var span in batch)
            {
                json.WriteStartObject();
                json.WriteString("traceId", span.TraceId.ToHexString());
                json.WriteString("spanId", span.SpanId.ToHexString());
                json.WriteString("parentSpanId", span.ParentSpanId == default ? "" : span.ParentSpanId.ToHexString());
                json.WriteString("name", span.DisplayName);
                json.WriteString("source", span.Source.Name);
                json.WriteString("start", span.StartTimeUtc);
                json.WriteNumber("durationMs", span.Duration.TotalMilliseconds);
                json.WriteStartObject("tags");
                foreach (var (key, value) in span.EnumerateTagObjects())
                {
                    if (key.StartsWith("orch.", StringComparison.Ordinal))
                    {
                        json.WriteString(key, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
                    }
                }

                json.WriteEndObject();
                json.WriteEndObject();
                json.Flush();
                buffer.WriteByte((byte)'\n');
            }
        }

        lock (_gate)
        {
            using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
            buffer.WriteTo(file);
        }

        return ExportResult.Success;
    }
}
