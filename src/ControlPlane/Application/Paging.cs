using System.Text;
using Orchestrator.Ecs;

namespace Orchestrator.ControlPlane.Application;

/// <summary>
/// ECS's nextToken/maxResults paging over a list in a stable order. The token is opaque to clients: it encodes the
/// key of the last item returned, so items added or removed between pages shift nothing. Keys must sort (ordinally)
/// in the list's order.
/// </summary>
public static class Paging
{
    public static (IReadOnlyList<TItem> Items, string? NextToken) Page<TItem>(
        IEnumerable<TItem> ordered, Func<TItem, string> key, string? nextToken, int? maxResults, int defaultMax = 100, bool descending = false)
    {
        var limit = maxResults ?? defaultMax;
        var after = nextToken is null ? null : Decode(nextToken);
        var direction = descending ? -1 : 1;
        var page = ordered.Where(item => after is null || direction * string.CompareOrdinal(key(item), after) > 0).Take(limit + 1).ToList();
        if (page.Count <= limit)
        {
            return (page, null);
        }

        page.RemoveAt(limit);
        return (page, Encode(key(page[^1])));
    }

    private static string Encode(string key) => Convert.ToBase64String(Encoding.UTF8.GetBytes(key));

    private static string Decode(string token)
    {
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(token));
        }
        catch (FormatException)
        {
            throw EcsException.InvalidParameter("The nextToken is not valid.");
        }
    }
}
