using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Orchestrator.ControlPlane.Security;

/// <summary>
/// Refuses plaintext on a TLS port before the handshake: a connection whose first byte is not a TLS handshake record
/// is closed and logged (once a minute per address), so that an agent or orch pointed at <c>http://</c> leaves a
/// reason in the control plane's log instead of a silent handshake failure.
/// </summary>
public static partial class PlaintextGuard
{
    private const byte TlsHandshakeRecord = 0x16;
    private const int MaxRemembered = 10_000;
    private static readonly ConcurrentDictionary<string, long> LastLogged = new(StringComparer.Ordinal);

    public static ListenOptions RefusePlaintext(this ListenOptions listen, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(listen);
        ArgumentNullException.ThrowIfNull(loggers);
        var logger = loggers.CreateLogger(typeof(PlaintextGuard).FullName!);
        listen.Use(next => async context =>
        {
            var input = context.Transport.Input;
            var read = await input.ReadAsync(context.ConnectionClosed).ConfigureAwait(false);
            var buffer = read.Buffer;
            if (buffer.IsEmpty)
            {
                input.AdvanceTo(buffer.Start);
                return;
            }

            if (buffer.FirstSpan[0] != TlsHandshakeRecord)
            {
                input.AdvanceTo(buffer.End);
                var remote = (context.RemoteEndPoint as IPEndPoint)?.Address.ToString() ?? "unknown";
                if (ShouldLog(remote))
                {
                    Log.Refused(logger, remote);
                }

                context.Abort();
                return;
            }

            input.AdvanceTo(buffer.Start); // nothing consumed: TLS reads the same bytes
            await next(context).ConfigureAwait(false);
        });
        return listen;
    }

    private static bool ShouldLog(string remote)
    {
        var now = Environment.TickCount64;
        if (LastLogged.Count > MaxRemembered)
        {
            LastLogged.Clear();
        }

        var last = LastLogged.GetOrAdd(remote, now - 120_000);
        return now - last >= 60_000 && LastLogged.TryUpdate(remote, now, last);
    }
}
