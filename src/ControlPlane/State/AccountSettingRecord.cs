namespace Orchestrator.ControlPlane.State;

/// <summary>
/// An ECS account setting as stored: the account default (<see cref="PrincipalArn"/> null, set with
/// PutAccountSettingDefault) or one principal's (PutAccountSetting).
/// </summary>
public sealed record AccountSettingRecord(string Name, string Value, string? PrincipalArn)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public string Key => $"{PrincipalArn ?? ""}\n{Name}";
}
