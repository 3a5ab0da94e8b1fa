using Grpc.Core;
using Grpc.Core.Interceptors;
using Orchestrator.Contracts;

namespace Orchestrator.Cli;

/// <summary>
/// Signs every call with the access key (<see cref="CallSignature"/>): adds <c>x-orch-date</c> and <c>authorization</c>
/// to its metadata. An interceptor rather than CallCredentials, which gRPC sends only over TLS: a loopback
/// <c>http://</c> control plane checks signatures too.
/// </summary>
internal sealed class SigningInterceptor(string accessKeyId, string secretAccessKey, TimeProvider time) : Interceptor
{
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation) =>
        continuation(request, Signed(context));

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation) =>
        continuation(request, Signed(context));

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, BlockingUnaryCallContinuation<TRequest, TResponse> continuation) =>
        continuation(request, Signed(context));

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context, AsyncClientStreamingCallContinuation<TRequest, TResponse> continuation) =>
        continuation(Signed(context));

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context, AsyncDuplexStreamingCallContinuation<TRequest, TResponse> continuation) =>
        continuation(Signed(context));

    private ClientInterceptorContext<TRequest, TResponse> Signed<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context)
        where TRequest : class
        where TResponse : class
    {
        var (date, authorization) = CallSignature.Sign(accessKeyId, secretAccessKey, context.Method.FullName, time.GetUtcNow());
        var headers = new Metadata();
        foreach (var entry in context.Options.Headers ?? [])
        {
            if (entry.Key != CallSignature.DateHeader && entry.Key != CallSignature.AuthorizationHeader)
            {
                headers.Add(entry);
            }
        }

        headers.Add(CallSignature.DateHeader, date);
        headers.Add(CallSignature.AuthorizationHeader, authorization);
        return new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, context.Options.WithHeaders(headers));
    }
}
