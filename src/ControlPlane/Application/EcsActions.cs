using System.Collections.Frozen;
using System.Text.Json;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Json;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Application;

/// <summary>
/// The ECS actions by name, each reading its request document and writing its response document. Both the gRPC
/// cluster API and the ECS-compatible HTTP API dispatch through this one table.
/// </summary>
public sealed class EcsActions(EcsApi api)
{
    private static readonly FrozenDictionary<string, Action> Actions =
        new Dictionary<string, Action>
        {
            ["CreateCluster"] = Bind<CreateClusterRequest, ClusterResponse>((api, r, ct) => api.CreateClusterAsync(r, ct)),
            ["DeleteCluster"] = Bind<DeleteClusterRequest, ClusterResponse>((api, r, ct) => api.DeleteClusterAsync(r, ct)),
            ["DescribeClusters"] = Bind<DescribeClustersRequest, DescribeClustersResponse>((api, r, ct) => api.DescribeClustersAsync(r, ct)),
            ["ListClusters"] = Bind<ListRequest, ListClustersResponse>((api, r, ct) => api.ListClustersAsync(r, ct)),
            ["RegisterTaskDefinition"] = Bind<RegisterTaskDefinitionRequest, TaskDefinitionResponse>((api, r, ct) => api.RegisterTaskDefinitionAsync(r, ct)),
            ["DeregisterTaskDefinition"] = Bind<DeregisterTaskDefinitionRequest, TaskDefinitionResponse>((api, r, ct) => api.DeregisterTaskDefinitionAsync(r, ct)),
            ["DescribeTaskDefinition"] = Bind<DescribeTaskDefinitionRequest, TaskDefinitionResponse>((api, r, ct) => api.DescribeTaskDefinitionAsync(r, ct)),
            ["ListTaskDefinitions"] = Bind<ListTaskDefinitionsRequest, ListTaskDefinitionsResponse>((api, r, ct) => api.ListTaskDefinitionsAsync(r, ct)),
            ["ListTaskDefinitionFamilies"] = Bind<ListTaskDefinitionFamiliesRequest, ListTaskDefinitionFamiliesResponse>((api, r, ct) => api.ListTaskDefinitionFamiliesAsync(r, ct)),
            ["RunTask"] = Bind<RunTaskRequest, TasksResponse>((api, r, ct) => api.RunTaskAsync(r, ct)),
            ["StopTask"] = Bind<StopTaskRequest, TaskResponse>((api, r, ct) => api.StopTaskAsync(r, ct)),
            ["DescribeTasks"] = Bind<DescribeTasksRequest, TasksResponse>((api, r, ct) => api.DescribeTasksAsync(r, ct)),
            ["ListTasks"] = Bind<ListTasksRequest, ListTasksResponse>((api, r, ct) => api.ListTasksAsync(r, ct)),
            ["ListContainerInstances"] = Bind<ListContainerInstancesRequest, ListContainerInstancesResponse>((api, r, ct) => api.ListContainerInstancesAsync(r, ct)),
            ["DescribeContainerInstances"] = Bind<DescribeContainerInstancesRequest, DescribeContainerInstancesResponse>((api, r, ct) => api.DescribeContainerInstancesAsync(r, ct)),
            ["UpdateContainerInstancesState"] = Bind<UpdateContainerInstancesStateRequest, DescribeContainerInstancesResponse>((api, r, ct) => api.UpdateContainerInstancesStateAsync(r, ct)),
            ["DeregisterContainerInstance"] = Bind<DeregisterContainerInstanceRequest, ContainerInstanceResponse>((api, r, ct) => api.DeregisterContainerInstanceAsync(r, ct)),
            ["StartTask"] = Bind<StartTaskRequest, TasksResponse>((api, r, ct) => api.StartTaskAsync(r, ct)),
            ["PutAttributes"] = Bind<PutAttributesRequest, AttributesResponse>((api, r, ct) => api.PutAttributesAsync(r, ct)),
            ["DeleteAttributes"] = Bind<DeleteAttributesRequest, AttributesResponse>((api, r, ct) => api.DeleteAttributesAsync(r, ct)),
            ["ListAttributes"] = Bind<ListAttributesRequest, ListAttributesResponse>((api, r, ct) => api.ListAttributesAsync(r, ct)),
            ["CreateService"] = Bind<CreateServiceRequest, ServiceResponse>((api, r, ct) => api.CreateServiceAsync(r, ct)),
            ["UpdateService"] = Bind<UpdateServiceRequest, ServiceResponse>((api, r, ct) => api.UpdateServiceAsync(r, ct)),
            ["DeleteService"] = Bind<DeleteServiceRequest, ServiceResponse>((api, r, ct) => api.DeleteServiceAsync(r, ct)),
            ["DescribeServices"] = Bind<DescribeServicesRequest, DescribeServicesResponse>((api, r, ct) => api.DescribeServicesAsync(r, ct)),
            ["ListServices"] = Bind<ListServicesRequest, ListServicesResponse>((api, r, ct) => api.ListServicesAsync(r, ct)),
            ["TagResource"] = Bind<TagResourceRequest, EmptyResponse>((api, r, ct) => api.TagResourceAsync(r, ct)),
            ["UntagResource"] = Bind<UntagResourceRequest, EmptyResponse>((api, r, ct) => api.UntagResourceAsync(r, ct)),
            ["ListTagsForResource"] = Bind<ListTagsForResourceRequest, ListTagsForResourceResponse>((api, r, ct) => api.ListTagsForResourceAsync(r, ct)),
        }.ToFrozenDictionary(StringComparer.Ordinal);

    public static IEnumerable<string> Names => Actions.Keys;

    /// <summary>The request and response types of each action, by name.</summary>
    public static IReadOnlyDictionary<string, (Type Request, Type Response)> Shapes =>
        Actions.ToDictionary(a => a.Key, a => (a.Value.Request, a.Value.Response));

    /// <summary>Runs the named action on a request document and returns the response document.</summary>
    public async Task<string> InvokeAsync(string action, string requestJson, CancellationToken cancellationToken)
    {
        if (!Actions.TryGetValue(action, out var invoke))
        {
            throw new EcsException(EcsErrors.UnknownOperation, $"The action {action} is not implemented by this control plane.");
        }

        var response = await invoke.Invoke(api, requestJson, cancellationToken).ConfigureAwait(false);
        return JsonSerializer.Serialize(response, response.GetType(), EcsJson.Options);
    }

    private static Action Bind<TRequest, TResponse>(Func<EcsApi, TRequest, CancellationToken, Task<TResponse>> handler)
        where TResponse : notnull =>
        new(typeof(TRequest), typeof(TResponse), async (api, json, ct) => await handler(api, EcsRequestReader.Read<TRequest>(json), ct).ConfigureAwait(false));

    private sealed record Action(Type Request, Type Response, Func<EcsApi, string, CancellationToken, Task<object>> Invoke);
}
