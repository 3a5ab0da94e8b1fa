using System.Text;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Orchestrator.Contracts.Admin;
using Orchestrator.ControlPlane.Security;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Validation;

namespace Orchestrator.ControlPlane.Grpc;

/// <summary>
/// Secrets (<c>orch secret …</c>): values go in, only metadata comes out. Names and callers are logged; values and
/// descriptions never are.
/// </summary>
public sealed partial class AdminService
{
    public override Task<SecretInfo> CreateSecret(CreateSecretRequest request, ServerCallContext context)
    {
        var name = SecretName(request.Name);
        var value = SecretValue(request.Value);
        if (!secrets.Create(name, value, SecretDescription(request.Description), out var created))
        {
            throw new RpcException(new global::Grpc.Core.Status(StatusCode.AlreadyExists,
                $"A secret named {name} already exists; orch secret put gives it a new value."));
        }

        Log.SecretCreated(logger, name, Caller(context));
        return Task.FromResult(Info(created));
    }

    public override Task<SecretInfo> PutSecretValue(PutSecretValueRequest request, ServerCallContext context)
    {
        var name = SecretName(request.Name);
        var value = SecretValue(request.Value);
        var updated = secrets.Put(name, value, request.HasDescription ? SecretDescription(request.Description) : null) ?? throw NoSecret(name);
        Log.SecretPut(logger, name, updated.Version, Caller(context));
        return Task.FromResult(Info(updated));
    }

    public override Task<SecretInfo> GetSecretMetadata(GetSecretMetadataRequest request, ServerCallContext context)
    {
        var name = SecretName(request.Name);
        return Task.FromResult(Info(secrets.Get(name) ?? throw NoSecret(name)));
    }

    public override Task<ListSecretsResponse> ListSecrets(ListSecretsRequest request, ServerCallContext context) =>
        Task.FromResult(new ListSecretsResponse { Secrets = { secrets.List().Select(Info) } });

    public override Task<DeleteSecretResponse> DeleteSecret(DeleteSecretRequest request, ServerCallContext context)
    {
        var name = SecretName(request.Name);
        if (!secrets.Delete(name))
        {
            throw NoSecret(name);
        }

        Log.SecretDeleted(logger, name, Caller(context));
        return Task.FromResult(new DeleteSecretResponse());
    }

    private static string SecretName(string? name) =>
        SecretReference.IsValidName(name)
            ? name!
            : throw new RpcException(new global::Grpc.Core.Status(StatusCode.InvalidArgument,
                $"Invalid secret name '{EcsText.Cut(name, 64)}': 1 to {SecretReference.MaxNameLength} letters, digits and /_+=.@- characters."));

    private static string SecretValue(string? value)
    {
        // Said without quoting the value: a message is an answer and may be logged by the caller.
        if (string.IsNullOrEmpty(value))
        {
            throw new RpcException(new global::Grpc.Core.Status(StatusCode.InvalidArgument, "The secret's value is empty."));
        }

        if (Encoding.UTF8.GetByteCount(value) > SecretStore.MaxValueBytes)
        {
            throw new RpcException(new global::Grpc.Core.Status(StatusCode.InvalidArgument, $"The secret's value is larger than {SecretStore.MaxValueBytes} bytes."));
        }

        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new RpcException(new global::Grpc.Core.Status(StatusCode.InvalidArgument, "The secret's value contains a NUL character, which no environment variable can hold."));
        }

        return value;
    }

    private static string SecretDescription(string? description)
    {
        description ??= "";
        if (description.Length > SecretStore.MaxDescription || description.Any(char.IsControl))
        {
            throw new RpcException(new global::Grpc.Core.Status(StatusCode.InvalidArgument,
                $"description must be at most {SecretStore.MaxDescription} characters, without control characters."));
        }

        return description;
    }

    private static RpcException NoSecret(string name) =>
        new(new global::Grpc.Core.Status(StatusCode.NotFound, $"Secrets Manager can't find the specified secret: {name}."));

    private SecretInfo Info(StoredSecret secret) => new()
    {
        Name = secret.Name,
        Arn = $"arn:aws:secretsmanager:{arns.Region}:{arns.Account}:secret:{secret.Name}",
        Description = secret.Description,
        CreatedAt = Timestamp.FromDateTimeOffset(secret.CreatedAt),
        LastChangedAt = Timestamp.FromDateTimeOffset(secret.LastChangedAt),
        Version = secret.Version,
    };
}
