using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Orchestrator.Contracts.Admin;
using Orchestrator.ControlPlane.Security;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Validation;

namespace Orchestrator.ControlPlane.Grpc;

/// <summary>
/// Task roles (<c>orch role …</c>): a name and an IAM JSON policy document (<see cref="RolePolicy"/>), checked when
/// created. Deleting a role stops its tasks' keys from working at their next call and their rotation; the tasks keep
/// running, as ECS's do when a role is deleted.
/// </summary>
public sealed partial class AdminService
{
    public override Task<RoleInfo> CreateRole(CreateRoleRequest request, ServerCallContext context)
    {
        var store = Roles();
        var name = RoleName(request.Name);
        if (request.Description.Length > RoleStore.MaxDescription || request.Description.Any(char.IsControl))
        {
            throw Invalid($"description must be at most {RoleStore.MaxDescription} characters, without control characters.");
        }

        try
        {
            RolePolicy.Parse(request.PolicyDocument);
            if (!store.Create(name, request.PolicyDocument, request.Description, out var created))
            {
                throw new RpcException(new global::Grpc.Core.Status(StatusCode.AlreadyExists, $"Role with name {name} already exists."));
            }

            Log.RoleCreated(logger, name, Caller(context));
            return Task.FromResult(Info(created));
        }
        catch (FormatException e)
        {
            throw Invalid("MalformedPolicyDocument: " + e.Message);
        }
        catch (InvalidOperationException e)
        {
            throw new RpcException(new global::Grpc.Core.Status(StatusCode.ResourceExhausted, e.Message));
        }
    }

    public override Task<RoleInfo> GetRole(GetRoleRequest request, ServerCallContext context)
    {
        var name = RoleName(request.Name);
        return Task.FromResult(Info(Roles().Get(name) ?? throw NoRole(name)));
    }

    public override Task<ListRolesResponse> ListRoles(ListRolesRequest request, ServerCallContext context) =>
        Task.FromResult(new ListRolesResponse { Roles = { Roles().List().Select(Info) } });

    public override Task<DeleteRoleResponse> DeleteRole(DeleteRoleRequest request, ServerCallContext context)
    {
        var name = RoleName(request.Name);
        if (!Roles().Delete(name))
        {
            throw NoRole(name);
        }

        Log.RoleDeleted(logger, name, Caller(context));
        return Task.FromResult(new DeleteRoleResponse());
    }

    private RoleStore Roles() => roles ?? throw new RpcException(new global::Grpc.Core.Status(StatusCode.Unimplemented, "Task roles are not available."));

    private static string RoleName(string? name) =>
        RoleArn.IsValidName(name)
            ? name!
            : throw Invalid($"Invalid role name '{EcsText.Cut(name, 64)}': 1 to {RoleArn.MaxNameLength} letters, digits and +=,.@_- characters.");

    private static RpcException Invalid(string message) => new(new global::Grpc.Core.Status(StatusCode.InvalidArgument, message));

    private static RpcException NoRole(string name) =>
        new(new global::Grpc.Core.Status(StatusCode.NotFound, $"The role with name {name} cannot be found."));

    private static RoleInfo Info(StoredRole role) => new()
    {
        Name = role.Name,
        Arn = role.Arn,
        RoleId = role.RoleId,
        PolicyDocument = role.PolicyDocument,
        Description = role.Description,
        CreatedAt = Timestamp.FromDateTimeOffset(role.CreatedAt),
    };
}
