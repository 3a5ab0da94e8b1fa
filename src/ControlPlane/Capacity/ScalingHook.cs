using System.Diagnostics;
using System.Net.Http.Json;
using Microsoft.Extensions.Options;
using Orchestrator.ControlPlane.State;

namespace Orchestrator.ControlPlane.Capacity;

/// <summary>What managed scaling asks of the operator: <paramref name="Desired"/> instances for the provider, now <paramref name="Current"/>;
/// on a scale-in, <paramref name="Remove"/> are the instances to take away (never one running a protected task).</summary>
public sealed record ScalingRequest(string Cluster, string Provider, int Desired, int Current, double Reservation, IReadOnlyList<InstanceRecord> Remove);

/// <summary>
/// The operator's scaling hook: a command (<c>--scaling-hook</c>, run without a shell with the arguments
/// <c>--cluster C --capacity-provider P --desired N --current M [--remove INSTANCE_ARN]…</c> and the same in
/// <c>ORCH_*</c> variables) and/or a webhook (<c>--scaling-hook-url</c>: POST of a JSON document, with
/// <c>Authorization: Bearer</c> the content of <c>--scaling-hook-token-file</c> when given). Each call has a deadline
/// (<see cref="ControlPlaneOptions.ScalingHookTimeout"/>). Neither the token, the URL's path and query, nor the
/// command's output is ever logged: only the exit code or HTTP status.
/// </summary>
public sealed partial class ScalingHook(IOptions<ControlPlaneOptions> options, ILogger<ScalingHook> logger, IHttpClientFactory? http = null)
{
    private readonly ControlPlaneOptions _options = options?.Value ?? throw new ArgumentNullException(nameof(options));

    public bool IsConfigured => !string.IsNullOrEmpty(_options.ScalingHook) || !string.IsNullOrEmpty(_options.ScalingHookUrl);

    /// <summary>Runs the command and/or posts to the webhook; true when each one configured succeeded. Never throws but for cancellation.</summary>
    public async Task<bool> CallAsync(ScalingRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var ok = true;
        if (!string.IsNullOrEmpty(_options.ScalingHook))
        {
            ok &= await RunCommandAsync(_options.ScalingHook, request, cancellationToken).ConfigureAwait(false);
        }

        if (!string.IsNullOrEmpty(_options.ScalingHookUrl))
        {
            ok &= await PostAsync(new Uri(_options.ScalingHookUrl), request, cancellationToken).ConfigureAwait(false);
        }

        return ok;
    }

    /// <summary>The command's arguments, in order.</summary>
    public static IReadOnlyList<string> Arguments(ScalingRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var arguments = new List<string>
        {
            "--cluster", request.Cluster, "--capacity-provider", request.Provider,
            "--desired", request.Desired.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--current", request.Current.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var instance in request.Remove)
        {
            arguments.Add("--remove");
            arguments.Add(instance.Arn);
        }

        return arguments;
    }

    private async Task<bool> RunCommandAsync(string command, ScalingRequest request, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.ScalingHookTimeout);
        Process? process = null;
        try
        {
            var start = new ProcessStartInfo(command)
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
            };
            foreach (var argument in Arguments(request))
            {
                start.ArgumentList.Add(argument);
            }

            start.Environment["ORCH_CLUSTER"] = request.Cluster;
            start.Environment["ORCH_CAPACITY_PROVIDER"] = request.Provider;
            start.Environment["ORCH_DESIRED_COUNT"] = request.Desired.ToString(System.Globalization.CultureInfo.InvariantCulture);
            start.Environment["ORCH_CURRENT_COUNT"] = request.Current.ToString(System.Globalization.CultureInfo.InvariantCulture);
            start.Environment["ORCH_REMOVE_INSTANCES"] = string.Join(' ', request.Remove.Select(i => i.Arn));
            start.Environment["ORCH_REMOVE_HOSTNAMES"] = string.Join(' ', request.Remove.Select(i => i.Hostname ?? i.Ec2InstanceId ?? i.Id));
            process = Process.Start(start);
            if (process is null)
            {
                Log.CommandFailed(logger, request.Provider, "it could not be started");
                return false;
            }

            process.StandardInput.Close();
            // Read and drop the output (it is the operator's and may hold anything): a full pipe must not block the hook.
            var output = process.StandardOutput.ReadToEndAsync(deadline.Token);
            var errors = process.StandardError.ReadToEndAsync(deadline.Token);
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
            await Task.WhenAll(output, errors).ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                Log.CommandFailed(logger, request.Provider, $"exit code {process.ExitCode}");
                return false;
            }

            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Log.CommandFailed(logger, request.Provider, $"no exit within {_options.ScalingHookTimeout}");
            TryKill(process);
            return false;
        }
#pragma warning disable CA1031 // a hook that cannot run is a failed call, retried later; never an exception out of here
        catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
        {
            Log.CommandFailed(logger, request.Provider, e.GetType().Name);
            return false;
        }
        finally
        {
            process?.Dispose();
        }
    }

    private async Task<bool> PostAsync(Uri url, ScalingRequest request, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.ScalingHookTimeout);
        var where = url.GetLeftPart(UriPartial.Authority);
        try
        {
            using var client = http?.CreateClient(nameof(ScalingHook)) ?? new HttpClient();
            using var message = new HttpRequestMessage(HttpMethod.Post, url)
            {
                Content = JsonContent.Create(new
                {
                    cluster = request.Cluster,
                    capacityProvider = request.Provider,
                    desiredCount = request.Desired,
                    currentCount = request.Current,
                    reservation = request.Reservation,
                    remove = request.Remove.Select(i => new { containerInstanceArn = i.Arn, hostname = i.Hostname, ec2InstanceId = i.Ec2InstanceId }),
                }),
            };
            if (!string.IsNullOrEmpty(_options.ScalingHookTokenFile))
            {
                var token = (await File.ReadAllTextAsync(_options.ScalingHookTokenFile, deadline.Token).ConfigureAwait(false)).Trim();
                message.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            }

            using var response = await client.SendAsync(message, deadline.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                Log.WebhookFailed(logger, request.Provider, where, $"HTTP {(int)response.StatusCode}");
                return false;
            }

            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Log.WebhookFailed(logger, request.Provider, where, $"no answer within {_options.ScalingHookTimeout}");
            return false;
        }
#pragma warning disable CA1031 // as for the command
        catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
        {
            Log.WebhookFailed(logger, request.Provider, where, e.GetType().Name);
            return false;
        }
    }

    private static void TryKill(Process? process)
    {
        try
        {
            process?.Kill(entireProcessTree: true);
        }
#pragma warning disable CA1031 // it may have exited meanwhile
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
