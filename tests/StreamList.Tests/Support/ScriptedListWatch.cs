using System.Runtime.CompilerServices;
using System.Threading.Channels;
using k8s.Models;
using StreamList.Http;
using StreamList.Listing;
using StreamList.Watching;

namespace StreamList.Tests.Support;

/// <summary>
/// A list/watch pair a test scripts exactly (client-go's FakeControllerSource in spirit): each
/// list call takes the next scripted answer (pods, or an exception); each watch call gets a
/// channel the test writes events into and completes (normally or with an exception).
/// Every request is recorded.
/// </summary>
public sealed class ScriptedListWatch
{
    private readonly Channel<Func<ListRequest, ListAnswer>> _lists = Channel.CreateUnbounded<Func<ListRequest, ListAnswer>>();
    private readonly Channel<Channel<object>> _watches = Channel.CreateUnbounded<Channel<object>>();

    public List<ListRequest> ListRequests { get; } = [];

    public List<WatchRequest> WatchRequests { get; } = [];

    public sealed record ListAnswer(IReadOnlyList<V1Pod>? Pods, string ResourceVersion = "100", Exception? Error = null, string? Continue = null);

    /// <summary>Queues the answer to the next list call.</summary>
    public void NextList(params V1Pod[] pods) => NextList(new ListAnswer(pods));

    public void NextList(ListAnswer answer) => _lists.Writer.TryWrite(_ => answer);

    public void NextList(Func<ListRequest, ListAnswer> answer) => _lists.Writer.TryWrite(answer);

    public void NextListFails(Exception e) => NextList(new ListAnswer(null, Error: e));

    /// <summary>Creates the stream the next watch call will read; write events or a completion into it.</summary>
    public ChannelWriter<object> NextWatch()
    {
        var c = Channel.CreateUnbounded<object>();
        _watches.Writer.TryWrite(c);
        return c.Writer;
    }

    public ListWatch<V1Pod> ListWatch => new(ListAsync, WatchAsync);

    private async IAsyncEnumerable<V1Pod> ListAsync(ListRequest request, ListProgress progress, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        lock (ListRequests)
            ListRequests.Add(request);
        var answer = (await _lists.Reader.ReadAsync(cancellationToken))(request);
        if (answer.Error is not null)
            throw answer.Error;
        foreach (var pod in answer.Pods!)
        {
            progress.ReportItem();
            yield return pod;
        }
        progress.ReportMetadata(new V1ListMeta { ResourceVersion = answer.ResourceVersion, ContinueProperty = answer.Continue });
        progress.ReportComplete();
    }

    private async IAsyncEnumerable<WatchEvent<V1Pod>> WatchAsync(WatchRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        lock (WatchRequests)
            WatchRequests.Add(request);
        var stream = await _watches.Reader.ReadAsync(cancellationToken);
        await foreach (var item in stream.Reader.ReadAllAsync(cancellationToken))
            yield return (WatchEvent<V1Pod>)item;
    }

    public static V1Pod Pod(string name, string rv, string ns = "default", string? uid = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, ResourceVersion = rv, Uid = uid ?? "uid-" + name },
    };
}
