using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.ControlPlane.Agents;
using Orchestrator.ControlPlane.Security;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Tests.Agents;

/// <summary>
/// <c>repositoryCredentials</c> at dispatch: <see cref="TaskSecrets"/> turns the named secret's
/// <c>{"username","password"}</c> into that container's registry login; a missing secret or a value of another shape
/// is a ResourceInitializationError naming the secret and never the value.
/// </summary>
public sealed class RegistryLoginTests : IDisposable
{
    private const string Password = "registry-pass-7c1f";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "orch-registry-login-" + Guid.NewGuid().ToString("N"));
    private readonly SecretStore _store;

    public RegistryLoginTests() =>
        _store = new SecretStore(Options.Create(new ControlPlaneOptions { DataDir = _dir }), new FakeTimeProvider(DateTimeOffset.UnixEpoch));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private static TaskDefinition Definition(string? credentials) => new()
    {
        Family = "private",
        ContainerDefinitions =
        [
            new ContainerDefinition { Name = "app", Image = "registry.test:5000/app:1", RepositoryCredentials = new RepositoryCredentials { CredentialsParameter = credentials } },
            new ContainerDefinition { Name = "side", Image = "public/side:1" },
        ],
    };

    [Fact]
    public void Login_GoesToItsContainer_AndTheRunMessageCarriesIt()
    {
        Assert.True(_store.Create("registry-login", $$"""{"username":"ci","password":"{{Password}}"}""", "", out _));

        var resolved = new TaskSecrets(_store).Resolve(Definition("arn:aws:secretsmanager:us-east-1:000000000000:secret:registry-login-AbCdEf"), out var failure);

        Assert.Null(failure);
        var login = Assert.Single(resolved!.RegistryLogins);
        Assert.Equal(("app", "ci", Password), (login.ContainerName, login.Username, login.Password));
        Assert.DoesNotContain(Password, resolved.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "registry-login not found")]
    [InlineData("not json", "must be a JSON object with string members username and password")]
    [InlineData("""{"username":"ci"}""", "must be a JSON object with string members username and password")]
    [InlineData("""{"username":"ci","password":7}""", "must be a JSON object with string members username and password")]
    public void MissingOrMisshapenSecret_IsAResourceInitializationError_NamingTheSecretOnly(string? value, string expected)
    {
        if (value is not null)
        {
            Assert.True(_store.Create("registry-login", value, "", out _));
        }

        var resolved = new TaskSecrets(_store).Resolve(Definition("registry-login"), out var failure);

        Assert.Null(resolved);
        Assert.StartsWith(TaskSecrets.FailurePrefix, failure, StringComparison.Ordinal);
        Assert.Contains(expected, failure, StringComparison.Ordinal);
        if (value is not null)
        {
            Assert.DoesNotContain(value, failure, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void EmptyRepositoryCredentials_AskForNoLogin()
    {
        var resolved = new TaskSecrets(_store).Resolve(Definition(null), out var failure);

        Assert.Null(failure);
        Assert.Empty(resolved!.RegistryLogins);
    }
}
