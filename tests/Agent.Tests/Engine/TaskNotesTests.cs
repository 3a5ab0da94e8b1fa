using Microsoft.Extensions.Time.Testing;
using Orchestrator.Agent.Engine;

namespace Orchestrator.Agent.Tests.Engine;

/// <summary>The agent's queue of task notes: stamped, woken, bounded (the oldest go), cut, drained once.</summary>
public sealed class TaskNotesTests
{
    [Fact]
    public void Notes_AreStampedBoundedAndDrainedOnce()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 22, 0, 0, TimeSpan.Zero));
        var woken = 0;
        var notes = new TaskNotes(clock, () => woken++);

        for (var i = 0; i < TaskNotes.Capacity + 10; i++)
        {
            notes.Add("arn:task", $"line {i}");
        }

        notes.Add("arn:task", new string('y', 1000));
        var drained = notes.Drain();

        Assert.Equal(TaskNotes.Capacity + 11, woken);
        Assert.Equal(TaskNotes.Capacity, drained.Count);
        Assert.Equal("line 11", drained[0].Message);
        Assert.Equal(TaskNotes.MaxMessageLength, drained[^1].Message.Length);
        Assert.All(drained, n => Assert.Equal(clock.GetUtcNow(), n.At));
        Assert.Empty(notes.Drain());
    }
}
