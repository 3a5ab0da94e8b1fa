using Orchestrator.Ecs.Json;
using Orchestrator.Ecs.Model;
using Orchestrator.Ecs.Validation;

namespace Orchestrator.Ecs.Tests.Validation;

/// <summary>The task definitions in examples/ are what users copy first: each must register as it is.</summary>
public sealed class ExampleDefinitionsTests
{
    public static TheoryData<string> Examples => [.. Directory.GetFiles(Path.Combine(RepositoryRoot(), "examples"), "*.json").Select(f => Path.GetFileName(f))];

    [Theory]
    [MemberData(nameof(Examples))]
    public void Example_Validates(string file)
    {
        var json = File.ReadAllText(Path.Combine(RepositoryRoot(), "examples", file));

        var request = TaskDefinitionValidator.Validate(EcsRequestReader.Read<RegisterTaskDefinitionRequest>(json));

        Assert.NotEmpty(request.ContainerDefinitions!);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Orchestrator.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (with Orchestrator.sln) was not found above " + AppContext.BaseDirectory);
    }
}
