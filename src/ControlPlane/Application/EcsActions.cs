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
public sealed class EcsActions(EcsResources resources)
{
    private static readonly FrozenDictionary<string, Action> Actions =
        new Dictionary<string, Action>
        {
            ["CreateCluster"] = Bind<CreateClusterRequest, ClusterResponse>((api, r, ct) => api.Clusters.CreateClusterAsync(r, ct)),
            ["DeleteCluster"] = Bind<DeleteClusterRequest, ClusterResponse>((api, r, ct) => api.Clusters.DeleteClusterAsync(r, ct)),
            ["DescribeClusters"] = Bind<DescribeClustersRequest, DescribeClustersResponse>((api, r, ct) => api.Clusters.DescribeClustersAsync(r, ct)),
            ["UpdateCluster"] = Bind<UpdateClusterRequest, ClusterResponse>((api, r, ct) => api.Clusters.UpdateClusterAsync(r, ct)),
            ["UpdateClusterSettings"] = Bind<UpdateClusterSettingsRequest, ClusterResponse>((api, r, ct) => api.Clusters.UpdateClusterSettingsAsync(r, ct)),
            ["PutAccountSetting"] = Bind<PutAccountSettingRequest, AccountSettingResponse>((api, r, ct) => api.Clusters.PutAccountSettingAsync(r, ct)),
            ["PutAccountSettingDefault"] = Bind<PutAccountSettingDefaultRequest, AccountSettingResponse>((api, r, ct) => api.Clusters.PutAccountSettingDefaultAsync(r, ct)),
            ["DeleteAccountSetting"] = Bind<DeleteAccountSettingRequest, AccountSettingResponse>((api, r, ct) => api.Clusters.DeleteAccountSettingAsync(r, ct)),
            ["ListAccountSettings"] = Bind<ListAccountSettingsRequest, ListAccountSettingsResponse>((api, r, ct) => api.Clusters.ListAccountSettingsAsync(r, ct)),
            ["ListClusters"] = Bind<ListRequest, ListClustersResponse>((api, r, ct) => api.Clusters.ListClustersAsync(r, ct)),
            ["RegisterTaskDefinition"] = Bind<RegisterTaskDefinitionRequest, TaskDefinitionResponse>((api, r, ct) => api.TaskDefinitions.RegisterTaskDefinitionAsync(r, ct)),
            ["DeregisterTaskDefinition"] = Bind<DeregisterTaskDefinitionRequest, TaskDefinitionResponse>((api, r, ct) => api.TaskDefinitions.DeregisterTaskDefinitionAsync(r, ct)),
            ["DeleteTaskDefinitions"] = Bind<DeleteTaskDefinitionsRequest, DeleteTaskDefinitionsResponse>((api, r, ct) => api.TaskDefinitions.DeleteTaskDefinitionsAsync(r, ct)),
            ["DescribeTaskDefinition"] = Bind<DescribeTaskDefinitionRequest, TaskDefinitionResponse>((api, r, ct) => api.TaskDefinitions.DescribeTaskDefinitionAsync(r, ct)),
            ["ListTaskDefinitions"] = Bind<ListTaskDefinitionsRequest, ListTaskDefinitionsResponse>((api, r, ct) => api.TaskDefinitions.ListTaskDefinitionsAsync(r, ct)),
            ["ListTaskDefinitionFamilies"] = Bind<ListTaskDefinitionFamiliesRequest, ListTaskDefinitionFamiliesResponse>((api, r, ct) => api.TaskDefinitions.ListTaskDefinitionFamiliesAsync(r, ct)),
            ["RunTask"] = Bind<RunTaskRequest, TasksResponse>((api, r, ct) => api.Tasks.RunTaskAsync(r, ct)),
            ["StopTask"] = Bind<StopTaskRequest, TaskResponse>((api, r, ct) => api.Tasks.StopTaskAsync(r, ct)),
            ["DescribeTasks"] = Bind<DescribeTasksRequest, TasksResponse>((api, r, ct) => api.Tasks.DescribeTasksAsync(r, ct)),
            ["UpdateTaskProtection"] = Bind<UpdateTaskProtectionRequest, TaskProtectionResponse>((api, r, ct) => api.Tasks.UpdateTaskProtectionAsync(r, ct)),
            ["GetTaskProtection"] = Bind<GetTaskProtectionRequest, TaskProtectionResponse>((api, r, ct) => api.Tasks.GetTaskProtectionAsync(r, ct)),
            ["ListTasks"] = Bind<ListTasksRequest, ListTasksResponse>((api, r, ct) => api.Tasks.ListTasksAsync(r, ct)),
            ["ListContainerInstances"] = Bind<ListContainerInstancesRequest, ListContainerInstancesResponse>((api, r, ct) => api.ContainerInstances.ListContainerInstancesAsync(r, ct)),
            ["DescribeContainerInstances"] = Bind<DescribeContainerInstancesRequest, DescribeContainerInstancesResponse>((api, r, ct) => api.ContainerInstances.DescribeContainerInstancesAsync(r, ct)),
            ["UpdateContainerInstancesState"] = Bind<UpdateContainerInstancesStateRequest, DescribeContainerInstancesResponse>((api, r, ct) => api.ContainerInstances.UpdateContainerInstancesStateAsync(r, ct)),
            ["DeregisterContainerInstance"] = Bind<DeregisterContainerInstanceRequest, ContainerInstanceResponse>((api, r, ct) => api.ContainerInstances.DeregisterContainerInstanceAsync(r, ct)),
            ["StartTask"] = Bind<StartTaskRequest, TasksResponse>((api, r, ct) => api.Tasks.StartTaskAsync(r, ct)),
            ["PutAttributes"] = Bind<PutAttributesRequest, AttributesResponse>((api, r, ct) => api.Attributes.PutAttributesAsync(r, ct)),
            ["DeleteAttributes"] = Bind<DeleteAttributesRequest, AttributesResponse>((api, r, ct) => api.Attributes.DeleteAttributesAsync(r, ct)),
            ["ListAttributes"] = Bind<ListAttributesRequest, ListAttributesResponse>((api, r, ct) => api.Attributes.ListAttributesAsync(r, ct)),
            ["CreateService"] = Bind<CreateServiceRequest, ServiceResponse>((api, r, ct) => api.Services.CreateServiceAsync(r, ct)),
            ["UpdateService"] = Bind<UpdateServiceRequest, ServiceResponse>((api, r, ct) => api.Services.UpdateServiceAsync(r, ct)),
            ["DeleteService"] = Bind<DeleteServiceRequest, ServiceResponse>((api, r, ct) => api.Services.DeleteServiceAsync(r, ct)),
            ["DescribeServices"] = Bind<DescribeServicesRequest, DescribeServicesResponse>((api, r, ct) => api.Services.DescribeServicesAsync(r, ct)),
            ["ListServices"] = Bind<ListServicesRequest, ListServicesResponse>((api, r, ct) => api.Services.ListServicesAsync(r, ct)),
            ["ListServiceDeployments"] = Bind<ListServiceDeploymentsRequest, ListServiceDeploymentsResponse>((api, r, ct) => api.Services.ListServiceDeploymentsAsync(r, ct)),
            ["DescribeServiceDeployments"] = Bind<DescribeServiceDeploymentsRequest, DescribeServiceDeploymentsResponse>((api, r, ct) => api.Services.DescribeServiceDeploymentsAsync(r, ct)),
            ["DescribeServiceRevisions"] = Bind<DescribeServiceRevisionsRequest, DescribeServiceRevisionsResponse>((api, r, ct) => api.Services.DescribeServiceRevisionsAsync(r, ct)),
            ["StopServiceDeployment"] = Bind<StopServiceDeploymentRequest, StopServiceDeploymentResponse>((api, r, ct) => api.Services.StopServiceDeploymentAsync(r, ct)),
            ["ListServicesByNamespace"] = Bind<ListServicesByNamespaceRequest, ListServicesByNamespaceResponse>((api, r, ct) => api.Services.ListServicesByNamespaceAsync(r, ct)),
            ["DescribeCapacityProviders"] = Bind<DescribeCapacityProvidersRequest, DescribeCapacityProvidersResponse>((api, r, ct) => api.Clusters.DescribeCapacityProvidersAsync(r, ct)),
            ["CreateCapacityProvider"] = Bind<CreateCapacityProviderRequest, CapacityProviderResponse>((api, r, ct) => api.Clusters.CreateCapacityProviderAsync(r, ct)),
            ["UpdateCapacityProvider"] = Bind<UpdateCapacityProviderRequest, CapacityProviderResponse>((api, r, ct) => api.Clusters.UpdateCapacityProviderAsync(r, ct)),
            ["DeleteCapacityProvider"] = Bind<DeleteCapacityProviderRequest, CapacityProviderResponse>((api, r, ct) => api.Clusters.DeleteCapacityProviderAsync(r, ct)),
            ["PutClusterCapacityProviders"] = Bind<PutClusterCapacityProvidersRequest, ClusterResponse>((api, r, ct) => api.Clusters.PutClusterCapacityProvidersAsync(r, ct)),
            ["TagResource"] = Bind<TagResourceRequest, EmptyResponse>((api, r, ct) => api.Tags.TagResourceAsync(r, ct)),
            ["UntagResource"] = Bind<UntagResourceRequest, EmptyResponse>((api, r, ct) => api.Tags.UntagResourceAsync(r, ct)),
            ["ListTagsForResource"] = Bind<ListTagsForResourceRequest, ListTagsForResourceResponse>((api, r, ct) => api.Tags.ListTagsForResourceAsync(r, ct)),
        }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>
    /// Actions that only work against AWS itself: each answers with what to use instead, so a tool calling one learns
    /// why and where to go rather than meeting a bare "not implemented".
    /// </summary>
    private static readonly FrozenDictionary<string, string> AwsOnly = new Dictionary<string, string>
    {
        ["ExecuteCommand"] = "ExecuteCommand needs AWS Systems Manager, which a cluster without AWS does not have; run a command in a task's container with `orch task exec` instead.",
        ["CreateTaskSet"] = TaskSets,
        ["DeleteTaskSet"] = TaskSets,
        ["DescribeTaskSets"] = TaskSets,
        ["UpdateTaskSet"] = TaskSets,
        ["UpdateServicePrimaryTaskSet"] = TaskSets,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private const string TaskSets =
        "Task sets belong to the EXTERNAL and CODE_DEPLOY deployment controllers of AWS, which this control plane does not have; " +
        "deploy with UpdateService (a rolling deployment, `orch service update`) instead.";

    public static IEnumerable<string> Names => Actions.Keys;

    /// <summary>The request and response types of each action, by name.</summary>
    public static IReadOnlyDictionary<string, (Type Request, Type Response)> Shapes =>
        Actions.ToDictionary(a => a.Key, a => (a.Value.Request, a.Value.Response));

    /// <summary>Runs the named action on a request document and returns the response document.</summary>
    public async Task<string> InvokeAsync(string action, string requestJson, CancellationToken cancellationToken)
    {
        if (AwsOnly.TryGetValue(action, out var instead))
        {
            throw new EcsException(EcsErrors.UnsupportedFeature, instead);
        }

        if (!Actions.TryGetValue(action, out var invoke))
        {
            throw new EcsException(EcsErrors.UnknownOperation, $"The action {EcsText.Cut(action)} is not implemented by this control plane.");
        }

        var response = await invoke.Invoke(resources, requestJson, cancellationToken).ConfigureAwait(false);
        return JsonSerializer.Serialize(response, response.GetType(), EcsJson.Options);
    }

    private static Action Bind<TRequest, TResponse>(Func<EcsResources, TRequest, CancellationToken, Task<TResponse>> handler)
        where TResponse : notnull =>
        new(typeof(TRequest), typeof(TResponse), async (api, json, ct) => await handler(api, EcsRequestReader.Read<TRequest>(json), ct).ConfigureAwait(false));

    private sealed record Action(Type Request, Type Response, Func<EcsResources, string, CancellationToken, Task<object>> Invoke);
}
