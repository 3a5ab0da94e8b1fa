using Grpc.Core;
using Orchestrator.Ecs;

namespace Orchestrator.ControlPlane.Grpc;

/// <summary>
/// ECS errors as gRPC statuses: the ECS type travels in the <c>ecs-error-type</c> trailer, ECS's message as the
/// status detail.
/// </summary>
public static class GrpcErrors
{
    public static async Task<T> Translate<T>(Func<Task<T>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (EcsException e)
        {
            throw ToRpc(e);
        }
    }

    public static async Task Translate(Func<Task> action)
    {
        try
        {
            await action().ConfigureAwait(false);
        }
        catch (EcsException e)
        {
            throw ToRpc(e);
        }
    }

    public static RpcException ToRpc(EcsException e)
    {
        var code = e.ErrorType switch
        {
            EcsErrors.Server => StatusCode.Internal,
            EcsErrors.UnknownOperation => StatusCode.Unimplemented,
            _ when e.ErrorType.EndsWith("NotFoundException", StringComparison.Ordinal) => StatusCode.NotFound,
            _ => StatusCode.InvalidArgument,
        };
        return new RpcException(new Status(code, e.Message), new Metadata { { EcsErrors.GrpcTypeTrailer, e.ErrorType } });
    }
}
