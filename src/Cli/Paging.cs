namespace Orchestrator.Cli;

/// <summary>Reading whole lists from ECS's paged List* actions, and describing many items in ECS-sized chunks.</summary>
internal static class Paging
{
    /// <summary>ECS's Describe* actions take at most this many items per call.</summary>
    public const int DescribeChunkSize = 100;

    /// <summary>Calls <paramref name="page"/> with each <c>nextToken</c> until the response has none.</summary>
    public static async Task<List<T>> ListAllAsync<T>(
        Func<string?, CancellationToken, Task<(IReadOnlyList<T> Items, string? NextToken)>> page,
        CancellationToken cancellationToken)
    {
        var all = new List<T>();
        string? nextToken = null;
        do
        {
            var (items, next) = await page(nextToken, cancellationToken);
            all.AddRange(items);
            nextToken = string.IsNullOrEmpty(next) ? null : next;
        }
        while (nextToken is not null);

        return all;
    }

    /// <summary>Describes <paramref name="items"/> in chunks of <see cref="DescribeChunkSize"/>, in order.</summary>
    public static async Task<List<TResponse>> DescribeInChunksAsync<TResponse>(
        IReadOnlyList<string> items,
        Func<IReadOnlyList<string>, CancellationToken, Task<TResponse>> describe,
        CancellationToken cancellationToken)
    {
        var responses = new List<TResponse>();
        foreach (var chunk in items.Chunk(DescribeChunkSize))
        {
            responses.Add(await describe(chunk, cancellationToken));
        }

        return responses;
    }
}
