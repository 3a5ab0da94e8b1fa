using Orchestrator.ControlPlane.Http;
using Orchestrator.ControlPlane.Security;
using Orchestrator.Ecs;

namespace Orchestrator.ControlPlane.Tests.Security;

/// <summary>Task role policies: IAM's evaluation (explicit deny wins, default deny), wildcards, and what is refused.</summary>
public sealed class RolePolicyTests
{
    private const string Task = "arn:aws:ecs:us-east-1:000000000000:task/prod/0123456789abcdef0123456789abcdef";

    private static readonly RolePolicy Policy = RolePolicy.Parse("""
        {"Version":"2012-10-17","Statement":[
          {"Sid":"read","Effect":"Allow","Action":["ecs:List*","ecs:Describe*"],"Resource":"*"},
          {"Effect":"Allow","Action":"ecs:StopTask","Resource":"arn:aws:ecs:us-east-1:000000000000:task/prod/*"},
          {"Effect":"Deny","Action":"ecs:StopTask","Resource":"arn:aws:ecs:us-east-1:000000000000:task/prod/0123456789abcdef0123456789abcde?"},
          {"Effect":"Allow","Action":"ecs:*","Resource":"arn:aws:ecs:us-east-1:000000000000:cluster/sandbox"},
          {"Effect":"Deny","Action":"ECS:runtask","Resource":"*"}]}
        """);

    [Theory]
    [InlineData("ecs:ListTasks", "arn:aws:ecs:us-east-1:000000000000:cluster/prod", true)]
    [InlineData("ecs:listtasks", "*", true)] // actions match without regard to case
    [InlineData("ecs:DescribeServices", "arn:aws:ecs:us-east-1:000000000000:service/prod/web", true)]
    [InlineData("ecs:StopTask", "arn:aws:ecs:us-east-1:000000000000:task/prod/ffffffffffffffffffffffffffffffff", true)]
    [InlineData("ecs:StopTask", Task, false)] // the explicit deny (with ?) wins over the allow
    [InlineData("ecs:StopTask", "arn:aws:ecs:us-east-1:000000000000:task/staging/ffffffffffffffffffffffffffffffff", false)] // no allow: default deny
    [InlineData("ecs:StopTask", "ARN:AWS:ECS:US-EAST-1:000000000000:TASK/PROD/FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", false)] // resources match with case
    [InlineData("ecs:UpdateService", "arn:aws:ecs:us-east-1:000000000000:cluster/sandbox", true)]
    [InlineData("ecs:RunTask", "arn:aws:ecs:us-east-1:000000000000:cluster/sandbox", false)] // allowed by ecs:*, denied by the Deny
    [InlineData("ecs:CreateService", "arn:aws:ecs:us-east-1:000000000000:cluster/sandbox2", false)]
    [InlineData("scheduler:ListSchedules", "*", false)]
    public void Allows_AsIamDecides(string action, string resource, bool allowed) => Assert.Equal(allowed, Policy.Allows(action, resource));

    [Fact]
    public void AllowsAll_NeedsEveryResource_AndSomeResource()
    {
        Assert.True(Policy.AllowsAll("ecs:StopTask", ["arn:aws:ecs:us-east-1:000000000000:task/prod/a", "arn:aws:ecs:us-east-1:000000000000:task/prod/b"]));
        Assert.False(Policy.AllowsAll("ecs:StopTask", ["arn:aws:ecs:us-east-1:000000000000:task/prod/a", Task]));
        Assert.False(Policy.AllowsAll("ecs:StopTask", []));
    }

    [Fact]
    public void EmptyPolicyStatementList_IsRefused_AndAPolicyWithOnlyDenies_AllowsNothing()
    {
        Assert.Throws<FormatException>(() => RolePolicy.Parse("""{"Statement":[]}"""));
        var denies = RolePolicy.Parse("""{"Statement":{"Effect":"Deny","Action":"ecs:StopTask","Resource":"*"}}""");
        Assert.False(denies.Allows("ecs:ListTasks", "*"));
    }

    [Theory]
    [InlineData("*", "anything", true)]
    [InlineData("a*c", "abbbc", true)]
    [InlineData("a*c", "ac", true)]
    [InlineData("a*c", "abcd", false)]
    [InlineData("a?c", "abc", true)]
    [InlineData("a?c", "ac", false)]
    [InlineData("*task/prod/*", "arn:task/prod/x", true)]
    [InlineData("**", "", true)]
    [InlineData("", "x", false)]
    public void Matches_IamWildcards(string pattern, string value, bool matches) => Assert.Equal(matches, RolePolicy.Matches(pattern, value, ignoreCase: false));

    [Theory]
    [InlineData("", "empty")]
    [InlineData("not json", "not JSON")]
    [InlineData("[]", "JSON object")]
    [InlineData("""{"Version":"2012-10-17"}""", "no Statement")]
    [InlineData("""{"Version":"2020-01-01","Statement":{"Effect":"Allow","Action":"ecs:*","Resource":"*"}}""", "Version")]
    [InlineData("""{"Statement":{"Effect":"Permit","Action":"ecs:*","Resource":"*"}}""", "Effect must be Allow or Deny")]
    [InlineData("""{"Statement":{"Action":"ecs:*","Resource":"*"}}""", "needs an Effect")]
    [InlineData("""{"Statement":{"Effect":"Allow","Resource":"*"}}""", "needs Action")]
    [InlineData("""{"Statement":{"Effect":"Allow","Action":"ecs:*"}}""", "needs Resource")]
    [InlineData("""{"Statement":{"Effect":"Allow","NotAction":"ecs:StopTask","Resource":"*"}}""", "NotAction is not supported")]
    [InlineData("""{"Statement":{"Effect":"Allow","Action":"ecs:*","Resource":"*","Condition":{"StringEquals":{"ecs:cluster":"x"}}}}""", "Condition is not supported")]
    [InlineData("""{"Statement":{"Effect":"Allow","Action":"ListTasks","Resource":"*"}}""", "SERVICE:ACTION")]
    [InlineData("""{"Statement":{"Effect":"Allow","Action":"ecs:*","Resource":"task/*"}}""", "must be * or an ARN")]
    [InlineData("""{"Statement":{"Effect":"Allow","Action":[],"Resource":"*"}}""", "1 to 100")]
    [InlineData("""{"Statement":{"Effect":"Allow","Action":7,"Resource":"*"}}""", "string or a list")]
    [InlineData("""{"Statement":{"Effect":"Allow","Action":"ecs:*","Resource":"*"},"Extra":1}""", "Extra is not supported")]
    public void MalformedOrUnsupported_IsRefusedWithAReason(string document, string reason)
    {
        var error = Assert.Throws<FormatException>(() => RolePolicy.Parse(document));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DeepOrHugeDocuments_AreRefused()
    {
        Assert.Throws<FormatException>(() => RolePolicy.Parse(new string('[', 100) + new string(']', 100)));
        Assert.Throws<FormatException>(() => RolePolicy.Parse("{\"Statement\":\"" + new string('x', RolePolicy.MaxDocumentLength) + "\"}"));
    }

    private static readonly Arns Arns = new("us-east-1", "000000000000");

    [Theory]
    [InlineData("StopTask", """{"cluster":"prod","task":"abc"}""", "arn:aws:ecs:us-east-1:000000000000:task/prod/abc")]
    [InlineData("StopTask", """{"task":"abc"}""", "arn:aws:ecs:us-east-1:000000000000:task/default/abc")]
    [InlineData("StopTask", """{"cluster":"arn:aws:ecs:us-east-1:000000000000:cluster/prod","task":"arn:aws:ecs:us-east-1:000000000000:task/prod/abc"}""", "arn:aws:ecs:us-east-1:000000000000:task/prod/abc")]
    [InlineData("DescribeTasks", """{"cluster":"prod","tasks":["a","b"]}""", "arn:aws:ecs:us-east-1:000000000000:task/prod/a arn:aws:ecs:us-east-1:000000000000:task/prod/b")]
    [InlineData("UpdateService", """{"cluster":"prod","service":"web","desiredCount":2}""", "arn:aws:ecs:us-east-1:000000000000:service/prod/web")]
    [InlineData("CreateService", """{"cluster":"prod","serviceName":"web"}""", "arn:aws:ecs:us-east-1:000000000000:service/prod/web")]
    [InlineData("RunTask", """{"cluster":"prod","taskDefinition":"web:3"}""", "arn:aws:ecs:us-east-1:000000000000:task-definition/web:3")]
    [InlineData("ListTasks", """{"cluster":"prod"}""", "arn:aws:ecs:us-east-1:000000000000:cluster/prod")]
    [InlineData("ListTasks", "{}", "arn:aws:ecs:us-east-1:000000000000:cluster/default")]
    [InlineData("DescribeClusters", """{"clusters":["a","b"]}""", "arn:aws:ecs:us-east-1:000000000000:cluster/a arn:aws:ecs:us-east-1:000000000000:cluster/b")]
    [InlineData("ListClusters", "{}", "*")]
    [InlineData("RegisterTaskDefinition", """{"family":"web"}""", "*")]
    [InlineData("TagResource", """{"resourceArn":"arn:aws:ecs:us-east-1:000000000000:cluster/prod","tags":[]}""", "arn:aws:ecs:us-east-1:000000000000:cluster/prod")]
    [InlineData("ListTasks", "not json", "*")]
    public void ResourcesOf_NamesWhatTheCallActsOn(string action, string body, string expected) =>
        Assert.Equal(expected, string.Join(' ', TaskRoleAuthorization.ResourcesOf(action, System.Text.Encoding.UTF8.GetBytes(body), Arns)));
}
