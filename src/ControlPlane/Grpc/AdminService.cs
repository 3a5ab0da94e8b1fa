using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Orchestrator.Contracts.Admin;
using Orchestrator.ControlPlane.Security;
using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Grpc;

/// <summary>
/// The admin API (protos/admin.proto): access keys, activations and secrets (<c>AdminService.Secrets.cs</c>). <see cref="CallAuthenticator"/> lets only keys
/// that are not read-only in. Secrets and codes leave only in the answer that creates them, and are never logged.
/// </summary>
public sealed partial class AdminService(
    AccessKeyStore keys, ActivationStore activations, SecretStore secrets, Arns arns, StateStore store, TimeProvider clock, ILogger<AdminService> logger, RoleStore? roles = null)
    : Admin.AdminBase
{
    private const int MaxDescription = 256;

    public override Task<AccessKeyInfo> CreateAccessKey(CreateAccessKeyRequest request, ServerCallContext context)
    {
        var key = keys.Create(request.ReadOnly, Description(request.Description));
        Log.KeyCreated(logger, key.Id, key.ReadOnly, Caller(context));
        var info = Info(key);
        info.SecretAccessKey = key.Secret;
        return Task.FromResult(info);
    }

    public override Task<ListAccessKeysResponse> ListAccessKeys(ListAccessKeysRequest request, ServerCallContext context) =>
        Task.FromResult(new ListAccessKeysResponse { AccessKeys = { keys.List().Select(Info) } });

    public override Task<DeleteAccessKeyResponse> DeleteAccessKey(DeleteAccessKeyRequest request, ServerCallContext context)
    {
        var id = request.AccessKeyId ?? "";
        var result = keys.Delete(id);
        var shown = EcsText.Cut(id, 64);
        switch (result)
        {
            case DeleteResult.NotFound:
                throw new RpcException(new global::Grpc.Core.Status(StatusCode.NotFound, $"No access key {shown}."));
            case DeleteResult.Configured:
                throw new RpcException(new global::Grpc.Core.Status(StatusCode.FailedPrecondition,
                    $"Access key {shown} comes from the control plane's configuration (--access-keys-file); remove it there."));
            case DeleteResult.LastAdmin:
                throw new RpcException(new global::Grpc.Core.Status(StatusCode.FailedPrecondition,
                    $"Access key {shown} is the last one that is not read-only; create another before deleting it."));
            default:
                Log.KeyDeleted(logger, shown, Caller(context));
                return Task.FromResult(new DeleteAccessKeyResponse());
        }
    }

    public override Task<ActivationInfo> CreateActivation(CreateActivationRequest request, ServerCallContext context)
    {
        var cluster = string.IsNullOrEmpty(request.Cluster) ? Clusters.DefaultName : request.Cluster;
        if (cluster.Length > 255 || Arns.ShortName(cluster, "cluster") is not { Length: > 0 } name || store.Current.Cluster(name) is not { Status: ClusterStatus.Active })
        {
            if (cluster != Clusters.DefaultName)
            {
                throw new RpcException(new global::Grpc.Core.Status(StatusCode.NotFound, $"No active cluster {EcsText.Cut(cluster, 64)}."));
            }

            name = Clusters.DefaultName; // created by the first agent that joins it, as ECS does
        }

        var lifetime = request.ExpiresInSeconds == 0 ? ActivationStore.DefaultLifetime : TimeSpan.FromSeconds(request.ExpiresInSeconds);
        if (request.ExpiresInSeconds < 0 || lifetime > ActivationStore.MaxLifetime)
        {
            throw new RpcException(new global::Grpc.Core.Status(StatusCode.InvalidArgument, "expires must be between 1 second and 30 days."));
        }

        var max = request.MaxRegistrations == 0 ? 1 : request.MaxRegistrations;
        if (max is < 1 or > ActivationStore.MaxRegistrationsLimit)
        {
            throw new RpcException(new global::Grpc.Core.Status(StatusCode.InvalidArgument, $"max-registrations must be between 1 and {ActivationStore.MaxRegistrationsLimit}."));
        }

        var (activation, code) = activations.Create(name, Description(request.Description), lifetime, max);
        Log.ActivationCreated(logger, activation.Id, name, max, activation.ExpiresAt, Caller(context));
        var info = Info(activation);
        info.ActivationCode = code;
        return Task.FromResult(info);
    }

    public override Task<ListActivationsResponse> ListActivations(ListActivationsRequest request, ServerCallContext context) =>
        Task.FromResult(new ListActivationsResponse { Activations = { activations.List().Select(Info) } });

    public override Task<ActivationInfo> RevokeActivation(RevokeActivationRequest request, ServerCallContext context)
    {
        var revoked = activations.Revoke(request.ActivationId ?? "")
            ?? throw new RpcException(new global::Grpc.Core.Status(StatusCode.NotFound, $"No activation {EcsText.Cut(request.ActivationId, 64)}."));
        Log.ActivationRevoked(logger, revoked.Id, Caller(context));
        return Task.FromResult(Info(revoked));
    }

    private static string Description(string? description)
    {
        description ??= "";
        if (description.Length > MaxDescription || description.Any(char.IsControl))
        {
            throw new RpcException(new global::Grpc.Core.Status(StatusCode.InvalidArgument, $"description must be at most {MaxDescription} characters, without control characters."));
        }

        return description;
    }

    private static string Caller(ServerCallContext context) =>
        context.UserState.TryGetValue(CallAuthenticator.AccessKeyItem, out var key) && key is ManagedAccessKey k ? k.Id : "(insecure mode)";

    private static AccessKeyInfo Info(ManagedAccessKey key) => new()
    {
        AccessKeyId = key.Id,
        ReadOnly = key.ReadOnly,
        Description = key.Description,
        CreatedAt = key.CreatedAt == default ? null : Timestamp.FromDateTimeOffset(key.CreatedAt),
        Source = key.Source,
    };

    private ActivationInfo Info(Activation activation) => new()
    {
        ActivationId = activation.Id,
        Cluster = activation.Cluster,
        Description = activation.Description,
        CreatedAt = Timestamp.FromDateTimeOffset(activation.CreatedAt),
        ExpiresAt = Timestamp.FromDateTimeOffset(activation.ExpiresAt),
        MaxRegistrations = activation.MaxRegistrations,
        Registrations = activation.Registrations,
        Status = activation.StatusAt(clock.GetUtcNow()),
    };
}
