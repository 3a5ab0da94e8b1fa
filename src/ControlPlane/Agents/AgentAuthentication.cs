using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Orchestrator.Contracts.Agent;
using Orchestrator.ControlPlane.Security;
using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Agents;

/// <summary>
/// Who is calling the agent endpoint. A host joins with an activation and a certificate request and gets a client
/// certificate naming its container instance; afterwards it is that certificate: issued by the cluster CA, valid now,
/// and naming an instance that is still registered (deregistering an instance revokes its certificates). Refusals
/// carry the reason, for the agent's log and the control plane's; never an activation code. In the insecure loopback
/// mode nobody is asked for anything.
/// </summary>
public sealed partial class AgentAuthentication(
    ClusterPki pki, ActivationStore activations, StateStore store, IOptions<ControlPlaneOptions> options, TimeProvider clock, ILogger<AgentAuthentication> logger)
{
    private readonly LogBudget _budget = new(clock, (remote, count) => Log.Suppressed(logger, count, remote, LogBudget.Window.TotalSeconds));

    public bool Required => !options.Value.Insecure;

    /// <summary>The registered container instance the caller's client certificate names.</summary>
    public InstanceRecord Identify(ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var certificate = context.GetHttpContext().Connection.ClientCertificate;
        var arn = pki.InstanceOf(certificate, out var reason) ?? throw Refuse(context, StatusCode.Unauthenticated, reason);
        if (store.Current.Instance(arn) is not { } instance || instance.Status == ContainerInstanceStatus.Inactive)
        {
            throw Refuse(context, StatusCode.PermissionDenied,
                $"container instance {arn} is deregistered, so its certificate is revoked: join the host again with a new activation");
        }

        return instance;
    }

    public bool HasCertificate(ServerCallContext context) => context?.GetHttpContext().Connection.ClientCertificate is not null;

    /// <summary>
    /// Checks a first registration's activation and certificate request and takes one of the activation's
    /// registrations (give it back with <see cref="Release"/> if the registration fails). Returns the checked request
    /// and the activation's cluster.
    /// </summary>
    public (CertificateRequest Request, string Cluster) Activate(RegisterRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrEmpty(request.ActivationId) || string.IsNullOrEmpty(request.ActivationCode))
        {
            throw Refuse(context, StatusCode.Unauthenticated,
                "registration needs an activation (orch activation create) or the instance's client certificate");
        }

        if (request.ActivationId.Length > 64 || request.ActivationCode.Length > 128)
        {
            throw Refuse(context, StatusCode.Unauthenticated, "the activation id or code is not valid");
        }

        CertificateRequest certificateRequest;
        try
        {
            certificateRequest = ClusterPki.ReadRequest(request.CertificateRequest);
        }
        catch (ArgumentException e)
        {
            throw Refuse(context, StatusCode.InvalidArgument, e.Message);
        }

        var activation = activations.Consume(request.ActivationId, request.ActivationCode, out var reason)
            ?? throw Refuse(context, StatusCode.PermissionDenied, reason);
        var cluster = string.IsNullOrEmpty(request.Cluster) ? activation.Cluster : Arns.ShortName(request.Cluster, "cluster");
        if (cluster != activation.Cluster)
        {
            activations.Release(activation.Id);
            throw Refuse(context, StatusCode.PermissionDenied, $"activation {activation.Id} is for cluster {activation.Cluster}, not {EcsText.Cut(cluster, 64)}");
        }

        Log.Activated(logger, activation.Id, activation.Registrations, activation.MaxRegistrations, context.Peer);
        return (certificateRequest, activation.Cluster);
    }

    public void Release(RegisterRequest request) => activations.Release(request?.ActivationId ?? "");

    /// <summary>A certificate for <paramref name="instanceArn"/> over a request's key (InvalidArgument for a bad request).</summary>
    public string Issue(string? certificateRequestPem, string instanceArn, ServerCallContext context)
    {
        try
        {
            return pki.IssueClient(ClusterPki.ReadRequest(certificateRequestPem), instanceArn);
        }
        catch (ArgumentException e)
        {
            throw Refuse(context, StatusCode.InvalidArgument, e.Message);
        }
    }

    public string Issue(CertificateRequest request, string instanceArn) => pki.IssueClient(request, instanceArn);

    public string CaPem => pki.CaPem;

    public RpcException Refuse(ServerCallContext context, StatusCode code, string reason)
    {
        if (_budget.Allow(LogBudget.AddressOf(context?.Peer ?? "")))
        {
            Log.Refused(logger, context?.Method ?? "", reason, context?.Peer ?? "");
        }

        return new RpcException(new global::Grpc.Core.Status(code, $"Refused: {reason}."));
    }
}
