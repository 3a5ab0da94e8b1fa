using Grpc.Core;
using Orchestrator.Contracts.Admin;

namespace Orchestrator.ControlPlane.Tests.Security;

/// <summary>The role calls of the admin API (<c>orch role …</c>) on a secure control plane: signed, checked, logged by name.</summary>
public sealed class RoleAdminApiTests
{
    private const string Policy = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecs:ListTasks","Resource":"*"}]}""";

    [Fact]
    public async Task Roles_CreateGetListDelete()
    {
        await using var controlPlane = await SecureControlPlane.StartAsync();
        var admin = controlPlane.Admin();
        CallOptions Signed(string method) => controlPlane.Signed(SecureControlPlane.AdminMethod(method));

        var created = await admin.CreateRoleAsync(new CreateRoleRequest { Name = "ci-runner", PolicyDocument = Policy, Description = "runs CI" }, Signed("CreateRole"));
        var again = await Assert.ThrowsAsync<RpcException>(async () =>
            await admin.CreateRoleAsync(new CreateRoleRequest { Name = "ci-runner", PolicyDocument = Policy }, Signed("CreateRole")));
        var got = await admin.GetRoleAsync(new GetRoleRequest { Name = "ci-runner" }, Signed("GetRole"));
        var list = await admin.ListRolesAsync(new ListRolesRequest(), Signed("ListRoles"));

        Assert.Equal("arn:aws:iam::000000000000:role/ci-runner", created.Arn);
        Assert.Equal(StatusCode.AlreadyExists, again.StatusCode);
        Assert.Equal((Policy, "runs CI"), (got.PolicyDocument, got.Description));
        Assert.Equal("ci-runner", Assert.Single(list.Roles).Name);
        Assert.Contains(controlPlane.Logs.Lines, l => l.Contains("Role ci-runner created", StringComparison.Ordinal));

        await admin.DeleteRoleAsync(new DeleteRoleRequest { Name = "ci-runner" }, Signed("DeleteRole"));
        var gone = await Assert.ThrowsAsync<RpcException>(async () => await admin.GetRoleAsync(new GetRoleRequest { Name = "ci-runner" }, Signed("GetRole")));
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
        Assert.Equal("The role with name ci-runner cannot be found.", gone.Status.Detail);
    }

    [Theory]
    [InlineData("", Policy, "Invalid role name")]
    [InlineData("has space", Policy, "Invalid role name")]
    [InlineData("ok", "{}", "MalformedPolicyDocument: The policy document has no Statement.")]
    [InlineData("ok", """{"Statement":{"Effect":"Allow","Action":"ecs:*","Resource":"*","Condition":{}}}""", "Condition is not supported")]
    public async Task BadNamesAndPolicies_AreRefused(string name, string policy, string message)
    {
        await using var controlPlane = await SecureControlPlane.StartAsync();

        var error = await Assert.ThrowsAsync<RpcException>(async () => await controlPlane.Admin().CreateRoleAsync(
            new CreateRoleRequest { Name = name, PolicyDocument = policy }, controlPlane.Signed(SecureControlPlane.AdminMethod("CreateRole"))));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(message, error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unsigned_IsRefused()
    {
        await using var controlPlane = await SecureControlPlane.StartAsync();

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await controlPlane.Admin().ListRolesAsync(new ListRolesRequest(), cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }
}
