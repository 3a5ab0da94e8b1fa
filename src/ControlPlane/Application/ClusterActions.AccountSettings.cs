using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;
using static Orchestrator.ControlPlane.Application.RequestChecks;

namespace Orchestrator.ControlPlane.Application;

/// <summary>
/// ECS's account settings: PutAccountSetting (a principal's), PutAccountSettingDefault (the account's),
/// DeleteAccountSetting and ListAccountSettings, stored in the state database. containerInsights acts: it is the
/// setting a cluster created without one gets. The others are stored and returned; a value that would ask for an AWS
/// feature this control plane lacks (awsvpcTrunking enabled, GuardDuty, FIPS) is refused by name and value.
/// </summary>
public sealed partial class ClusterActions
{
    /// <summary>Each setting's value when nobody set it (ECS's "aws_managed" defaults), and the values it takes here.</summary>
    private static readonly Dictionary<string, (string Default, string[] Allowed)> AccountSettingRules = new(StringComparer.Ordinal)
    {
        ["serviceLongArnFormat"] = ("enabled", ["enabled"]),
        ["taskLongArnFormat"] = ("enabled", ["enabled"]),
        ["containerInstanceLongArnFormat"] = ("enabled", ["enabled"]),
        ["awsvpcTrunking"] = ("disabled", ["disabled"]),
        ["containerInsights"] = ("disabled", ["enabled", "disabled", "enhanced"]),
        ["fargateFIPSMode"] = ("disabled", ["disabled"]),
        ["tagResourceAuthorization"] = ("on", ["on", "off"]),
        ["fargateTaskRetirementWaitPeriod"] = ("7", ["0", "7", "14"]),
        ["guardDutyActivate"] = ("off", ["off"]),
        ["defaultLogDriverMode"] = ("blocking", ["blocking"]),
        ["fargateEventWindows"] = ("disabled", ["disabled"]),
    };

    private string RootPrincipal => $"arn:aws:iam::{arns.Account}:root";

    public Task<AccountSettingResponse> PutAccountSettingAsync(PutAccountSettingRequest request, CancellationToken cancellationToken) =>
        PutSettingAsync(request.Name, request.Value, CheckPrincipal(request.PrincipalArn) ?? RootPrincipal, cancellationToken);

    public Task<AccountSettingResponse> PutAccountSettingDefaultAsync(PutAccountSettingDefaultRequest request, CancellationToken cancellationToken) =>
        PutSettingAsync(request.Name, request.Value, null, cancellationToken);

    public Task<AccountSettingResponse> DeleteAccountSettingAsync(DeleteAccountSettingRequest request, CancellationToken cancellationToken)
    {
        var name = CheckSettingName(request.Name);
        var principal = CheckPrincipal(request.PrincipalArn) ?? RootPrincipal;
        return store.WriteAsync(tx =>
        {
            var stored = tx.State.AccountSettings.GetValueOrDefault(new AccountSettingRecord(name, "", principal).Key)
                ?? throw EcsException.InvalidParameter($"The account setting {name} is not set for {EcsText.Cut(principal)}.");
            tx.Delete(stored);
            return new AccountSettingResponse(new Setting(name, stored.Value, principal, "user"));
        }, cancellationToken);
    }

    public Task<ListAccountSettingsResponse> ListAccountSettingsAsync(ListAccountSettingsRequest request, CancellationToken cancellationToken)
    {
        CheckMaxResults(request.MaxResults);
        if (request.Name is not null)
        {
            CheckSettingName(request.Name);
        }

        if (request.Value is not null && request.Name is null)
        {
            throw EcsException.InvalidParameter("value can only be given with name.");
        }

        var principal = CheckPrincipal(request.PrincipalArn) ?? RootPrincipal;
        var state = store.Current;
        var settings = AccountSettingRules.Keys.Order(StringComparer.Ordinal)
            .Where(name => request.Name is null || name == request.Name)
            .Select(name => request.EffectiveSettings == true ? Effective(state, name, principal) : Stored(state, name, principal))
            .OfType<Setting>()
            .Where(s => request.Value is null || s.Value == request.Value);
        var (page, next) = Paging.Page(settings, s => s.Name, request.NextToken, request.MaxResults, defaultMax: 10);
        return Task.FromResult(new ListAccountSettingsResponse(page, next));
    }

    /// <summary>The containerInsights value a new cluster gets when its request names none.</summary>
    private string DefaultContainerInsights(StateSnapshot state) => Effective(state, "containerInsights", RootPrincipal).Value;

    private Task<AccountSettingResponse> PutSettingAsync(string? requestedName, string? value, string? principal, CancellationToken cancellationToken)
    {
        var name = CheckSettingName(requestedName);
        var allowed = AccountSettingRules[name].Allowed;
        if (value is null)
        {
            throw EcsException.InvalidParameter("value is required.");
        }

        if (!allowed.Contains(value, StringComparer.Ordinal))
        {
            throw EcsException.Client(
                $"Parameter value is not supported by this control plane yet for the account setting {name}: the value \"{EcsText.Cut(value, 40)}\" is refused; it takes only {string.Join(", ", allowed.Select(a => $"\"{a}\""))}.");
        }

        return store.WriteAsync(tx =>
        {
            tx.Put(new AccountSettingRecord(name, value, principal));
            return new AccountSettingResponse(new Setting(name, value, principal ?? RootPrincipal, "user"));
        }, cancellationToken);
    }

    private Setting? Stored(StateSnapshot state, string name, string principal) =>
        state.AccountSettings.GetValueOrDefault(new AccountSettingRecord(name, "", principal).Key) is { } stored
            ? new Setting(name, stored.Value, principal, "user")
            : null;

    /// <summary>The principal's own setting, else the account default, else ECS's.</summary>
    private Setting Effective(StateSnapshot state, string name, string principal) =>
        Stored(state, name, principal)
        ?? (state.AccountSettings.GetValueOrDefault(new AccountSettingRecord(name, "", null).Key) is { } accountDefault
            ? new Setting(name, accountDefault.Value, principal, "user")
            : new Setting(name, AccountSettingRules[name].Default, principal, "aws_managed"));

    private static string CheckSettingName(string? name) =>
        name is not null && AccountSettingRules.ContainsKey(name)
            ? name
            : throw EcsException.InvalidParameter($"name must be one of: {string.Join(", ", AccountSettingRules.Keys)}.");

    /// <summary>An IAM user, role or root ARN of this account (there is no IAM here to ask whether it exists).</summary>
    private string? CheckPrincipal(string? principal) =>
        principal is null || principal.StartsWith($"arn:aws:iam::{arns.Account}:", StringComparison.Ordinal)
            ? principal
            : throw EcsException.InvalidParameter($"principalArn must be an IAM ARN of account {arns.Account}.");
}
