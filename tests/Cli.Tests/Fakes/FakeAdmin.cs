using System.Collections.Concurrent;
using Google.Protobuf;
using Grpc.Core;
using Orchestrator.Contracts.Admin;
using Orchestrator.Contracts.Agent;

namespace Orchestrator.Cli.Tests.Fakes;

/// <summary>The admin API with canned answers; records every request.</summary>
internal sealed class FakeAdmin : Admin.AdminBase
{
    public ConcurrentQueue<IMessage> Requests { get; } = new();

    public AccessKeyInfo CreatedKey { get; set; } = new();

    public ListAccessKeysResponse Keys { get; set; } = new();

    public ActivationInfo CreatedActivation { get; set; } = new();

    public ListActivationsResponse Activations { get; set; } = new();

    /// <summary>When set, every call fails with it (as the control plane fails, e.g. NotFound with a detail).</summary>
    public RpcException? Error { get; set; }

    public override Task<AccessKeyInfo> CreateAccessKey(CreateAccessKeyRequest request, ServerCallContext context) => Answer(request, CreatedKey);

    public override Task<ListAccessKeysResponse> ListAccessKeys(ListAccessKeysRequest request, ServerCallContext context) => Answer(request, Keys);

    public override Task<DeleteAccessKeyResponse> DeleteAccessKey(DeleteAccessKeyRequest request, ServerCallContext context) =>
        Answer(request, new DeleteAccessKeyResponse());

    public override Task<ActivationInfo> CreateActivation(CreateActivationRequest request, ServerCallContext context) => Answer(request, CreatedActivation);

    public override Task<ListActivationsResponse> ListActivations(ListActivationsRequest request, ServerCallContext context) => Answer(request, Activations);

    public override Task<ActivationInfo> RevokeActivation(RevokeActivationRequest request, ServerCallContext context) =>
        Answer(request, Activations.Activations.Single(a => a.ActivationId == request.ActivationId));

    public SecretInfo Secret { get; set; } = new();

    public ListSecretsResponse Secrets { get; set; } = new();

    public override Task<SecretInfo> CreateSecret(CreateSecretRequest request, ServerCallContext context) => Answer(request, Secret);

    public override Task<SecretInfo> PutSecretValue(PutSecretValueRequest request, ServerCallContext context) => Answer(request, Secret);

    public override Task<SecretInfo> GetSecretMetadata(GetSecretMetadataRequest request, ServerCallContext context) => Answer(request, Secret);

    public override Task<ListSecretsResponse> ListSecrets(ListSecretsRequest request, ServerCallContext context) => Answer(request, Secrets);

    public override Task<DeleteSecretResponse> DeleteSecret(DeleteSecretRequest request, ServerCallContext context) => Answer(request, new DeleteSecretResponse());

    public RoleInfo Role { get; set; } = new();

    public ListRolesResponse Roles { get; set; } = new();

    public override Task<RoleInfo> CreateRole(CreateRoleRequest request, ServerCallContext context) => Answer(request, Role);

    public override Task<RoleInfo> GetRole(GetRoleRequest request, ServerCallContext context) => Answer(request, Role);

    public override Task<ListRolesResponse> ListRoles(ListRolesRequest request, ServerCallContext context) => Answer(request, Roles);

    public override Task<DeleteRoleResponse> DeleteRole(DeleteRoleRequest request, ServerCallContext context) => Answer(request, new DeleteRoleResponse());

    private Task<T> Answer<T>(IMessage request, T reply)
    {
        Requests.Enqueue(request);
        return Error is null ? Task.FromResult(reply) : throw Error;
    }
}

/// <summary>The agent service's public GetClusterCa, answering with the fake control plane's CA (PEM).</summary>
internal sealed class FakeAgentService : AgentService.AgentServiceBase
{
    public string? CaPem { get; set; }

    public override Task<ClusterCaResponse> GetClusterCa(ClusterCaRequest request, ServerCallContext context) =>
        CaPem is null
            ? throw new RpcException(new Grpc.Core.Status(StatusCode.Unimplemented, "No CA here."))
            : Task.FromResult(new ClusterCaResponse { CaCertificate = CaPem });
}
