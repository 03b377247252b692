namespace StreamList.Sharding;

/// <summary>The object field a shard selector hashes (the two KEP-5866 supports).</summary>
public enum ShardField
{
    /// <summary><c>object.metadata.uid</c>: spreads every object evenly; an object never changes shard.</summary>
    Uid,

    /// <summary><c>object.metadata.namespace</c>: keeps a namespace's objects together (cluster-scoped objects hash "").</summary>
    Namespace,
}
