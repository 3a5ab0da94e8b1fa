using Grpc.Core;
using Orchestrator.Contracts.Admin;

namespace Orchestrator.ControlPlane.Tests.Security;

/// <summary>
/// The secret calls of the admin API on a secure control plane's TLS port: signed calls only, read-only keys refused,
/// values in and never out (no answer, no log line), names by Secrets Manager's rules, short errors for bad input.
/// </summary>
public sealed class SecretAdminApiTests
{
    private const string Value = "admin-api-secret-value-9b7d";

    [Fact]
    public async Task Secrets_CreatePutGetListDelete_NeverAnswerOrLogTheValue()
    {
        await using var controlPlane = await SecureControlPlane.StartAsync();
        var admin = controlPlane.Admin();
        CallOptions Signed(string method) => controlPlane.Signed(SecureControlPlane.AdminMethod(method));

        var created = await admin.CreateSecretAsync(new CreateSecretRequest { Name = "prod/db", Value = Value, Description = "descr-7c1f" }, Signed("CreateSecret"));
        var again = await Assert.ThrowsAsync<RpcException>(async () =>
            await admin.CreateSecretAsync(new CreateSecretRequest { Name = "prod/db", Value = "x" }, Signed("CreateSecret")));
        var put = await admin.PutSecretValueAsync(new PutSecretValueRequest { Name = "prod/db", Value = Value + "-2" }, Signed("PutSecretValue"));
        var metadata = await admin.GetSecretMetadataAsync(new GetSecretMetadataRequest { Name = "prod/db" }, Signed("GetSecretMetadata"));
        var list = await admin.ListSecretsAsync(new ListSecretsRequest(), Signed("ListSecrets"));

        Assert.Equal("arn:aws:secretsmanager:us-east-1:000000000000:secret:prod/db", created.Arn);
        Assert.Equal(StatusCode.AlreadyExists, again.StatusCode);
        Assert.Equal(2, put.Version);
        Assert.Equal("descr-7c1f", metadata.Description);
        Assert.Equal("prod/db", Assert.Single(list.Secrets).Name);
        foreach (var answer in new Google.Protobuf.IMessage[] { created, put, metadata, list })
        {
            Assert.DoesNotContain(Value, answer.ToString(), StringComparison.Ordinal);
        }

        await admin.DeleteSecretAsync(new DeleteSecretRequest { Name = "prod/db" }, Signed("DeleteSecret"));
        var gone = await Assert.ThrowsAsync<RpcException>(async () =>
            await admin.GetSecretMetadataAsync(new GetSecretMetadataRequest { Name = "prod/db" }, Signed("GetSecretMetadata")));
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);

        Assert.Contains(controlPlane.Logs.Lines, l => l.Contains("Secret prod/db created", StringComparison.Ordinal));
        Assert.DoesNotContain(controlPlane.Logs.Lines, l => l.Contains(Value, StringComparison.Ordinal) || l.Contains("descr-7c1f", StringComparison.Ordinal));
        Assert.False(File.ReadAllText(Path.Combine(controlPlane.DataDir, "secrets.json")).Contains(Value, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("", Value)]
    [InlineData("has space", Value)]
    [InlineData("name", "")]
    [InlineData("name", "nul\0inside")]
    public async Task BadNamesAndValues_AreRefused_WithoutEchoingTheValue(string name, string value)
    {
        await using var controlPlane = await SecureControlPlane.StartAsync();

        var error = await Assert.ThrowsAsync<RpcException>(async () => await controlPlane.Admin().CreateSecretAsync(
            new CreateSecretRequest { Name = name, Value = value }, controlPlane.Signed(SecureControlPlane.AdminMethod("CreateSecret"))));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.DoesNotContain(Value, error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadOnlyKeys_AndUnsignedCalls_AreRefused()
    {
        await using var controlPlane = await SecureControlPlane.StartAsync();
        var key = await controlPlane.Admin().CreateAccessKeyAsync(new CreateAccessKeyRequest { ReadOnly = true },
            controlPlane.Signed(SecureControlPlane.AdminMethod("CreateAccessKey")));

        var readOnly = await Assert.ThrowsAsync<RpcException>(async () => await controlPlane.Admin().ListSecretsAsync(new ListSecretsRequest(),
            controlPlane.Signed(SecureControlPlane.AdminMethod("ListSecrets"), key.AccessKeyId, key.SecretAccessKey)));
        var unsigned = await Assert.ThrowsAsync<RpcException>(async () => await controlPlane.Admin().CreateSecretAsync(
            new CreateSecretRequest { Name = "x", Value = "y" }, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(StatusCode.PermissionDenied, readOnly.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, unsigned.StatusCode);
        Assert.False(File.Exists(Path.Combine(controlPlane.DataDir, "secrets.json")));
    }
}
