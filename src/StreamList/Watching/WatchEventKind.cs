namespace StreamList.Watching;

/// <summary>The kinds of watch event the apiserver sends.</summary>
public enum WatchEventKind
{
    /// <summary>An object was added (or is part of the initial state of a WatchList).</summary>
    Added,
    /// <summary>An object was modified.</summary>
    Modified,
    /// <summary>An object was deleted; the event carries its last state.</summary>
    Deleted,
    /// <summary>Progress marker: only metadata.resourceVersion (and annotations) are set.</summary>
    Bookmark,
}
