using System.Text;
using Orchestrator.ControlPlane.Application;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Json;

namespace Orchestrator.ControlPlane.Tests.Contract;

/// <summary>
/// ECS's current model (botocore 1.43) is the contract for requests: every member of every implemented action's
/// request is implemented, accepted when it asks for nothing (a no-op), or refused by name — and a value that asks for
/// something not implemented is refused with ClientException naming the member and the value, never ignored.
/// </summary>
public sealed class EcsRequestMemberTests
{
    [Fact]
    public void EveryRequestMember_IsImplementedANoOpOrRefused_AndTheListsArePrinted()
    {
        var model = EcsModel.Instance;
        var table = new StringBuilder("| Action | Implemented | Accepted as a no-op (value) | Refused unless empty |\n| --- | --- | --- | --- |\n");
        foreach (var (action, (request, _)) in EcsActions.Shapes.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            var (implemented, noOps, refused) = Lists(request);
            var modelMembers = model.Members(model.InputShape(action));
            Assert.True(modelMembers.SetEquals(implemented.Concat(noOps.Keys).Concat(refused)),
                $"{action}: the model's members [{string.Join(", ", modelMembers.Order())}] differ from ours " +
                $"[{string.Join(", ", implemented.Concat(noOps.Keys).Concat(refused).Order())}]");
            Assert.Empty(implemented.Intersect(noOps.Keys));
            table.Append(CultureInvariant($"| {action} | {string.Join(", ", implemented)} | {string.Join(", ", noOps.Select(n => $"{n.Key} ({n.Value})"))} | {string.Join(", ", refused)} |\n"));
        }

        TestContext.Current.TestOutputHelper?.WriteLine(table.ToString());
    }

    [Fact]
    public async Task EveryNoOpMember_WithItsValue_IsAccepted_AndEveryOtherValueIsRefusedByNameAndValue()
    {
        using var cluster = new TestCluster();
        var model = EcsModel.Instance;
        var checkedMembers = 0;
        foreach (var (action, (request, _)) in EcsActions.Shapes)
        {
            var (_, noOps, refused) = Lists(request);
            var input = model.InputShape(action);
            foreach (var (member, accepted) in noOps)
            {
                var acceptedError = await ErrorOfAsync(cluster, action, $$"""{"{{member}}":{{accepted}}}""");
                Assert.True(acceptedError is null || !acceptedError.Message.Contains($"Parameter {member} ", StringComparison.Ordinal),
                    $"{action}: {member} = {accepted} was refused: {acceptedError?.Message}");

                var asking = model.SampleThatAsksForSomething(model.MemberShape(input, member), accepted);
                var refusal = await ErrorOfAsync(cluster, action, $$"""{"{{member}}":{{asking}}}""");
                Assert.True(refusal is { ErrorType: EcsErrors.Client } && refusal.Message.StartsWith($"Parameter {member} is not supported by this control plane yet: the value ", StringComparison.Ordinal)
                    && refusal.Message.EndsWith($"it takes only {accepted}.", StringComparison.Ordinal),
                    $"{action}: {member} = {asking} was not refused by name: {refusal?.ErrorType} {refusal?.Message}");
                checkedMembers++;
            }

            foreach (var member in refused)
            {
                var asking = model.SampleThatAsksForSomething(model.MemberShape(input, member));
                var refusal = await ErrorOfAsync(cluster, action, $$"""{"{{member}}":{{asking}}}""");
                Assert.True(refusal is { ErrorType: EcsErrors.Client } && refusal.Message.StartsWith($"Parameter {member} is not supported by this control plane yet: the value ", StringComparison.Ordinal),
                    $"{action}: {member} = {asking} was not refused by name: {refusal?.ErrorType} {refusal?.Message}");
                checkedMembers++;
            }
        }

        Assert.True(checkedMembers > 30, $"only {checkedMembers} members checked");
    }

    [Theory]
    [InlineData("CreateService", "availabilityZoneRebalancing", "\"ENABLED\"", "the value \"ENABLED\" is refused; it takes only \"DISABLED\".")]
    [InlineData("CreateService", "vpcLatticeConfigurations", """[{"roleArn":"r","targetGroupArn":"t","portName":"p"}]""", "the value a list of 1 is refused; it takes only [].")]
    [InlineData("UpdateService", "enableECSManagedTags", "true", "the value true is refused; it takes only false.")]
    [InlineData("CreateService", "platformVersion", "\"LATEST\"", "the value \"LATEST\" is refused; leave it out.")]
    public async Task AValueThatAsksForSomething_IsRefusedNamingMemberAndValue(string action, string member, string value, string tail)
    {
        using var cluster = new TestCluster();

        var error = await ErrorOfAsync(cluster, action, $$"""{"{{member}}":{{value}}}""");

        Assert.NotNull(error);
        Assert.Equal(EcsErrors.Client, error.ErrorType);
        Assert.Equal($"Parameter {member} is not supported by this control plane yet: {tail}", error.Message);
    }

    [Theory]
    [InlineData("ExecuteCommand", "`orch task exec`")]
    [InlineData("CreateTaskSet", "UpdateService")]
    [InlineData("UpdateServicePrimaryTaskSet", "UpdateService")]
    public async Task AnActionThatOnlyWorksAgainstAws_NamesWhatToUseInstead(string action, string instead)
    {
        using var cluster = new TestCluster();

        var error = await ErrorOfAsync(cluster, action, "{}");

        Assert.NotNull(error);
        Assert.Equal(EcsErrors.UnsupportedFeature, error.ErrorType);
        Assert.Contains(instead, error.Message, StringComparison.Ordinal);
        Assert.Contains(action, EcsModel.Instance.Operations);
    }

    /// <summary>Implemented (a member of our request record), no-op (and the value it takes), refused (every other member ECS defines).</summary>
    internal static (IReadOnlyList<string> Implemented, IReadOnlyDictionary<string, string> NoOps, IReadOnlyList<string> Refused) Lists(Type request)
    {
        var implemented = EcsJson.Options.GetTypeInfo(request).Properties.Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
        var noOps = EcsMembers.NoOpMembers(request).OrderBy(n => n.Key, StringComparer.Ordinal).ToDictionary();
        var refused = EcsMembers.KnownMembers(request).Except(implemented).Except(noOps.Keys).Order(StringComparer.Ordinal).ToList();
        return (implemented, noOps, refused);
    }

    private static async Task<EcsException?> ErrorOfAsync(TestCluster cluster, string action, string request)
    {
        try
        {
            await cluster.Actions.InvokeAsync(action, request, TestCluster.Token);
            return null;
        }
        catch (EcsException e)
        {
            return e;
        }
    }

    private static string CultureInvariant(FormattableString text) => FormattableString.Invariant(text);
}
