using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.ControlPlane.Security;

namespace Orchestrator.ControlPlane.Tests.Security;

/// <summary>
/// The secret store on disk: values sealed with AES-GCM under a key kept apart (owner-only files), read back by a new
/// instance, refused under another key or when moved to another name, and resolved from ECS's valueFrom forms.
/// </summary>
public sealed class SecretStoreTests : IDisposable
{
    private const string Value = "hunter2-correct-horse-battery-staple";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "orch-secrets-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));

    private SecretStore Open(string? keyFile = null) =>
        new(Options.Create(new ControlPlaneOptions { DataDir = _dir, SecretsKeyFile = keyFile }), _clock);

    [Fact]
    public void Create_ThenANewStore_ReadsTheValueBack_WhileTheFileHoldsOnlyCiphertext()
    {
        Assert.True(Open().Create("db-pass", Value, "the database", out var created));
        Assert.Equal(1, created.Version);

        var reopened = Open();
        var stored = Assert.Single(reopened.List());
        Assert.Equal("the database", stored.Description);
        Assert.Equal(Value, reopened.Open(stored));
        Assert.Equal(Value, reopened.Resolve("db-pass", out _));

        var onDisk = File.ReadAllBytes(Path.Combine(_dir, "secrets.json"));
        Assert.True(onDisk.AsSpan().IndexOf(Encoding.UTF8.GetBytes(Value)) < 0, "the clear value is in secrets.json");
        Assert.DoesNotContain(Value, stored.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void TheKey_IsMadeOnFirstUse_NotWhenTheStoreOpens()
    {
        var store = Open();
        Assert.Empty(store.List());
        Assert.Null(store.Resolve("nothing", out _));
        Assert.False(File.Exists(Path.Combine(_dir, "secrets.key")));

        store.Create("first", Value, "", out _);
        Assert.True(File.Exists(Path.Combine(_dir, "secrets.key")));
    }

    [Fact]
    public void KeyAndStore_AreOwnerOnly_AndTheKeyIs32RandomBytes()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix file modes");
        Open().Create("a", Value, "", out _);
        foreach (var name in new[] { "secrets.key", "secrets.json" })
        {
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_dir, name)));
            }
        }

        Assert.Equal(32, SecretStore.ParseKey(File.ReadAllBytes(Path.Combine(_dir, "secrets.key")))!.Length);
        Assert.False(File.Exists(Path.Combine(_dir, "secrets.key.tmp")));
    }

    [Fact]
    public void AnotherKey_IsRefused_NamingTheSecretNotItsValue()
    {
        Open().Create("db-pass", Value, "", out _);
        File.WriteAllText(Path.Combine(_dir, "secrets.key"), Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));

        var store = Open();
        Assert.Throws<CryptographicException>(() => store.Open(store.Get("db-pass")!));
        Assert.Null(store.Resolve("db-pass", out var problem));
        Assert.Equal("secret db-pass cannot be decrypted with the control plane's secrets key", problem);
    }

    [Fact]
    public void TamperedCiphertext_OrAValueMovedToAnotherName_FailsAuthentication()
    {
        var store = Open();
        store.Create("one", Value, "", out var one);
        store.Create("two", "other", "", out _);

        // The name is the associated data: one's sealed value under two's name does not open.
        var moved = one with { Name = "two" };
        Assert.ThrowsAny<CryptographicException>(() => store.Open(moved));

        var bytes = Convert.FromBase64String(one.Ciphertext);
        bytes[0] ^= 1;
        Assert.ThrowsAny<CryptographicException>(() => store.Open(one with { Ciphertext = Convert.ToBase64String(bytes) }));
    }

    [Fact]
    public void OperatorKeyFile_IsUsed_AndNoDefaultKeyIsMade()
    {
        System.IO.Directory.CreateDirectory(_dir);
        var keyFile = Path.Combine(_dir, "operator.key");
        File.WriteAllText(keyFile, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) + "\n");
        Open(keyFile).Create("x", Value, "", out _);
        Assert.False(File.Exists(Path.Combine(_dir, "secrets.key")));
        Assert.Equal(Value, Open(keyFile).Resolve("x", out _));

        // The same store under the default (new) key cannot read it.
        Assert.Null(Open().Resolve("x", out var problem));
        Assert.Contains("cannot be decrypted", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void AKeyFileOfTheWrongSize_IsRefused()
    {
        System.IO.Directory.CreateDirectory(_dir);
        var keyFile = Path.Combine(_dir, "short.key");
        File.WriteAllText(keyFile, Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)));
        var error = Assert.Throws<InvalidOperationException>(() => Open(keyFile).Create("x", Value, "", out _));
        Assert.Contains("32 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Put_SealsAgainWithAFreshNonce_AndBumpsTheVersion()
    {
        var store = Open();
        store.Create("db-pass", Value, "d", out var first);
        _clock.Advance(TimeSpan.FromMinutes(1));
        var second = store.Put("db-pass", Value, null)!;
        Assert.Equal(2, second.Version);
        Assert.NotEqual(first.Nonce, second.Nonce);
        Assert.NotEqual(first.Ciphertext, second.Ciphertext);
        Assert.Equal("d", second.Description);
        Assert.Equal(first.CreatedAt + TimeSpan.FromMinutes(1), second.LastChangedAt);
        Assert.Null(store.Put("missing", Value, null));
        Assert.False(store.Create("db-pass", "again", "", out _));
        Assert.True(store.Delete("db-pass"));
        Assert.False(store.Delete("db-pass"));
        Assert.Empty(Open().List());
    }

    [Theory]
    [InlineData("db-pass", "db-pass")]
    [InlineData("arn:aws:secretsmanager:us-east-1:000000000000:secret:db-pass", "db-pass")]
    [InlineData("arn:aws:secretsmanager:us-east-1:000000000000:secret:db-pass-AbCdEf", "db-pass")]
    [InlineData("arn:aws:ssm:us-east-1:000000000000:parameter/db-pass", "db-pass")]
    [InlineData("arn:aws:ssm:us-east-1:000000000000:parameter/app/db", "/app/db")]
    [InlineData("arn:aws:ssm:us-east-1:000000000000:parameter/app/db", "app/db")]
    [InlineData("/app/db", "app/db")]
    public void Resolve_FindsTheSecret_InEachValueFromForm(string valueFrom, string stored)
    {
        var store = Open();
        store.Create(stored, Value, "", out _);
        Assert.Equal(Value, store.Resolve(valueFrom, out var problem));
        Assert.Equal("", problem);
    }

    [Fact]
    public void Resolve_AJsonKey_TakesThatMember_AndSaysWhenItIsMissing()
    {
        var store = Open();
        store.Create("creds", new JsonObject { ["username"] = "app", ["port"] = 5432 }.ToJsonString(), "", out _);
        Assert.Equal("app", store.Resolve("arn:aws:secretsmanager:us-east-1:000000000000:secret:creds:username::", out _));
        Assert.Equal("5432", store.Resolve("arn:aws:secretsmanager:us-east-1:000000000000:secret:creds:port:AWSCURRENT:", out _));
        Assert.Null(store.Resolve("arn:aws:secretsmanager:us-east-1:000000000000:secret:creds:password::", out var problem));
        Assert.Contains("did not contain json key password", problem, StringComparison.Ordinal);
        Assert.Null(store.Resolve("arn:aws:secretsmanager:us-east-1:000000000000:secret:creds::AWSPREVIOUS:", out problem));
        Assert.Contains("AWSCURRENT", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_AMissingSecret_NamesIt()
    {
        Assert.Null(Open().Resolve("arn:aws:ssm:us-east-1:000000000000:parameter/nope", out var problem));
        Assert.Equal("secret arn:aws:ssm:us-east-1:000000000000:parameter/nope not found", problem);
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(_dir, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
