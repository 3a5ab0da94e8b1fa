using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Orchestrator.Contracts.Admin;

namespace Orchestrator.Cli.Output;

/// <summary>Access keys and activations as tables, and the admin API's answers as JSON documents.</summary>
internal static class AdminView
{
    /// <summary>Proto3 JSON (camelCase, RFC 3339 times) with every field, also those at their default (false, 0).</summary>
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>
    /// An admin answer as an indented JSON document, without the named fields (a list never shows a secret or code,
    /// even if a server sent one).
    /// </summary>
    public static void Json(CommandOutput output, IMessage message, params string[] without)
    {
        var document = JsonNode.Parse(Formatter.Format(message))!;
        Remove(document, without);
        output.Line(document.ToJsonString(Indented));
    }

    public static void CreatedAccessKey(CommandOutput output, AccessKeyInfo key)
    {
        var table = Tables.Create("ACCESS KEY ID", "SECRET ACCESS KEY", "READ-ONLY", "DESCRIPTION");
        table.Row(key.AccessKeyId, key.SecretAccessKey, Formats.YesNo(key.ReadOnly), key.Description);
        output.Write(table);
    }

    public static void AccessKeys(CommandOutput output, IEnumerable<AccessKeyInfo> keys)
    {
        var table = Tables.Create("ID", "READ-ONLY", "SOURCE", "CREATED", "DESCRIPTION");
        foreach (var key in keys)
        {
            table.Row(key.AccessKeyId, Formats.YesNo(key.ReadOnly), key.Source, Time(key.CreatedAt, output), key.Description);
        }

        output.Write(table);
    }

    public static void CreatedActivation(CommandOutput output, ActivationInfo activation)
    {
        var table = Tables.Create("ACTIVATION ID", "ACTIVATION CODE", "CLUSTER", "REGISTRATIONS", "EXPIRES");
        table.Row(activation.ActivationId, activation.ActivationCode, activation.Cluster, Registrations(activation), Time(activation.ExpiresAt, output));
        output.Write(table);
    }

    public static void Activations(CommandOutput output, IEnumerable<ActivationInfo> activations)
    {
        var table = Tables.Create("ID", "CLUSTER", "STATUS", "REGISTRATIONS", "EXPIRES", "DESCRIPTION");
        foreach (var activation in activations)
        {
            table.Row(
                activation.ActivationId,
                activation.Cluster,
                activation.Status,
                Registrations(activation),
                Time(activation.ExpiresAt, output),
                activation.Description);
        }

        output.Write(table);
    }

    public static void Secrets(CommandOutput output, IEnumerable<SecretInfo> secrets)
    {
        var table = Tables.Create("NAME", "VERSION", "LAST CHANGED", "DESCRIPTION");
        foreach (var secret in secrets)
        {
            table.Row(secret.Name, secret.Version.ToString(CultureInfo.InvariantCulture), Time(secret.LastChangedAt, output), secret.Description);
        }

        output.Write(table);
    }

    /// <summary><c>n/max</c> hosts joined with an activation.</summary>
    private static string Registrations(ActivationInfo activation) =>
        $"{activation.Registrations.ToString(CultureInfo.InvariantCulture)}/{activation.MaxRegistrations.ToString(CultureInfo.InvariantCulture)}";

    private static string? Time(Timestamp? time, CommandOutput output) =>
        time is null ? null : Formats.LocalTime(time.ToDateTimeOffset(), output.LocalTimeZone);

    private static void Remove(JsonNode? node, string[] names)
    {
        switch (node)
        {
            case JsonObject item:
                foreach (var name in names)
                {
                    item.Remove(name);
                }

                foreach (var (_, child) in item)
                {
                    Remove(child, names);
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    Remove(child, names);
                }

                break;
            default:
                break;
        }
    }
}
