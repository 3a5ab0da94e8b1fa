namespace Orchestrator.Agent.Security;

/// <summary>
/// How the agent ends when it cannot go on (<see cref="AgentRefusedException"/>): the host stops and the process
/// exits with <see cref="Code"/>, printing <see cref="Message"/> on stderr (see Program.cs).
/// </summary>
public sealed class AgentExit(IHostApplicationLifetime? lifetime)
{
    /// <summary>The exit code of a refusal: the same as for an invalid configuration.</summary>
    public const int RefusedCode = 2;

    private readonly TaskCompletionSource _failed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Code { get; private set; }

    public string? Message { get; private set; }

    /// <summary>Completes when <see cref="Fail"/> is called.</summary>
    public Task Failed => _failed.Task;

    public void Fail(string message, int code = RefusedCode)
    {
        Message = message;
        Code = code;
        _failed.TrySetResult();
        lifetime?.StopApplication();
    }
}
