using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Services;

public static class ServiceEvents
{
    /// <summary>
    /// The service's events with <paramref name="messages"/> added: newest first, at most 100, and a message equal to
    /// the newest one is not repeated (a pass that finds the same problem again says nothing new).
    /// </summary>
    public static IReadOnlyList<ServiceEvent> Append(IReadOnlyList<ServiceEvent> existing, IEnumerable<string> messages, DateTimeOffset now)
    {
        var list = existing.ToList();
        foreach (var message in messages)
        {
            if (list.Count == 0 || list[0].Message != message)
            {
                list.Insert(0, new ServiceEvent(Guid.NewGuid().ToString(), now, message));
            }
        }

        return list.Count > State.ServiceRecord.MaxEvents ? list[..State.ServiceRecord.MaxEvents] : list;
    }
}
