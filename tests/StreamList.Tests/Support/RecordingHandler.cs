using System.Collections.Concurrent;
using k8s.Models;
using StreamList.Informers;

namespace StreamList.Tests.Support;

/// <summary>A handler that records every notification as a short line.</summary>
public sealed class RecordingHandler : IResourceEventHandler<V1Pod>
{
    private readonly ConcurrentQueue<string> _lines = new();

    public List<string> Lines
    {
        get
        {
            lock (_list)
            {
                while (_lines.TryDequeue(out var l))
                    _list.Add(l);
                return _list;
            }
        }
    }

    private readonly List<string> _list = [];

    private static string Key(V1Pod p) => p.Metadata.NamespaceProperty + "/" + p.Metadata.Name;

    public ValueTask OnAddAsync(V1Pod obj, bool isInInitialList, CancellationToken cancellationToken)
    {
        _lines.Enqueue($"add {Key(obj)}{(isInInitialList ? " initial" : "")}");
        return ValueTask.CompletedTask;
    }

    public ValueTask OnUpdateAsync(V1Pod oldObj, V1Pod newObj, CancellationToken cancellationToken)
    {
        _lines.Enqueue($"update {Key(newObj)} {oldObj.Metadata.ResourceVersion}->{newObj.Metadata.ResourceVersion}");
        return ValueTask.CompletedTask;
    }

    public ValueTask OnDeleteAsync(V1Pod obj, bool finalStateUnknown, CancellationToken cancellationToken)
    {
        _lines.Enqueue($"delete {Key(obj)}{(finalStateUnknown ? " tombstone" : "")}");
        return ValueTask.CompletedTask;
    }
}
