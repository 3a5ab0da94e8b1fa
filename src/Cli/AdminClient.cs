using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Orchestrator.Contracts;
using Orchestrator.Contracts.Admin;
using Orchestrator.Contracts.Agent;

namespace Orchestrator.Cli;

/// <summary>The admin API (access keys, activations) with its failures translated like the cluster API's.</summary>
internal sealed class AdminClient(ControlPlane controlPlane)
{
    private readonly Admin.AdminClient _admin = new(controlPlane.Invoker);

    public Uri Endpoint => controlPlane.Endpoint;

    public Task<AccessKeyInfo> CreateAccessKeyAsync(CreateAccessKeyRequest request, CancellationToken cancellationToken) =>
        CallAsync("CreateAccessKey", () => _admin.CreateAccessKeyAsync(request, cancellationToken: cancellationToken), cancellationToken);

    public Task<ListAccessKeysResponse> ListAccessKeysAsync(CancellationToken cancellationToken) =>
        CallAsync("ListAccessKeys", () => _admin.ListAccessKeysAsync(new ListAccessKeysRequest(), cancellationToken: cancellationToken), cancellationToken);

    public Task<DeleteAccessKeyResponse> DeleteAccessKeyAsync(string accessKeyId, CancellationToken cancellationToken) =>
        CallAsync("DeleteAccessKey", () => _admin.DeleteAccessKeyAsync(new DeleteAccessKeyRequest { AccessKeyId = accessKeyId }, cancellationToken: cancellationToken), cancellationToken);

    public Task<ActivationInfo> CreateActivationAsync(CreateActivationRequest request, CancellationToken cancellationToken) =>
        CallAsync("CreateActivation", () => _admin.CreateActivationAsync(request, cancellationToken: cancellationToken), cancellationToken);

    public Task<ListActivationsResponse> ListActivationsAsync(CancellationToken cancellationToken) =>
        CallAsync("ListActivations", () => _admin.ListActivationsAsync(new ListActivationsRequest(), cancellationToken: cancellationToken), cancellationToken);

    public Task<ActivationInfo> RevokeActivationAsync(string activationId, CancellationToken cancellationToken) =>
        CallAsync("RevokeActivation", () => _admin.RevokeActivationAsync(new RevokeActivationRequest { ActivationId = activationId }, cancellationToken: cancellationToken), cancellationToken);

    public Task<SecretInfo> CreateSecretAsync(CreateSecretRequest request, CancellationToken cancellationToken) =>
        CallAsync("CreateSecret", () => _admin.CreateSecretAsync(request, cancellationToken: cancellationToken), cancellationToken);

    public Task<SecretInfo> PutSecretValueAsync(PutSecretValueRequest request, CancellationToken cancellationToken) =>
        CallAsync("PutSecretValue", () => _admin.PutSecretValueAsync(request, cancellationToken: cancellationToken), cancellationToken);

    public Task<SecretInfo> GetSecretMetadataAsync(string name, CancellationToken cancellationToken) =>
        CallAsync("GetSecretMetadata", () => _admin.GetSecretMetadataAsync(new GetSecretMetadataRequest { Name = name }, cancellationToken: cancellationToken), cancellationToken);

    public Task<ListSecretsResponse> ListSecretsAsync(CancellationToken cancellationToken) =>
        CallAsync("ListSecrets", () => _admin.ListSecretsAsync(new ListSecretsRequest(), cancellationToken: cancellationToken), cancellationToken);

    public Task<DeleteSecretResponse> DeleteSecretAsync(string name, CancellationToken cancellationToken) =>
        CallAsync("DeleteSecret", () => _admin.DeleteSecretAsync(new DeleteSecretRequest { Name = name }, cancellationToken: cancellationToken), cancellationToken);

    public Task<RoleInfo> CreateRoleAsync(CreateRoleRequest request, CancellationToken cancellationToken) =>
        CallAsync("CreateRole", () => _admin.CreateRoleAsync(request, cancellationToken: cancellationToken), cancellationToken);

    public Task<RoleInfo> GetRoleAsync(string name, CancellationToken cancellationToken) =>
        CallAsync("GetRole", () => _admin.GetRoleAsync(new GetRoleRequest { Name = name }, cancellationToken: cancellationToken), cancellationToken);

    public Task<ListRolesResponse> ListRolesAsync(CancellationToken cancellationToken) =>
        CallAsync("ListRoles", () => _admin.ListRolesAsync(new ListRolesRequest(), cancellationToken: cancellationToken), cancellationToken);

    public Task<DeleteRoleResponse> DeleteRoleAsync(string name, CancellationToken cancellationToken) =>
        CallAsync("DeleteRole", () => _admin.DeleteRoleAsync(new DeleteRoleRequest { Name = name }, cancellationToken: cancellationToken), cancellationToken);

    /// <summary>The cluster CA's fingerprint (<c>sha256:…</c>) from GetClusterCa, or null with the reason it is unknown.</summary>
    public async Task<(string? Fingerprint, string? Problem)> ClusterCaFingerprintAsync(CancellationToken cancellationToken)
    {
        try
        {
            var agent = new AgentService.AgentServiceClient(controlPlane.UnsignedInvoker);
            var response = await agent.GetClusterCaAsync(new ClusterCaRequest(), cancellationToken: cancellationToken);
            using var ca = X509Certificate2.CreateFromPem(response.CaCertificate);
            return (CaFingerprint.Of(ca), null);
        }
        catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, $"GetClusterCa failed: {e.Status.Detail}");
        }
        catch (CryptographicException e)
        {
            return (null, $"the cluster CA from GetClusterCa could not be read: {e.Message}");
        }
    }

    private async Task<T> CallAsync<T>(string action, Func<AsyncUnaryCall<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call();
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        catch (RpcException e)
        {
            throw controlPlane.Translate(e, action);
        }
    }
}
