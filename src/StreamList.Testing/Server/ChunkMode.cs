namespace StreamList.Testing.Server;

/// <summary>How the fake server cuts a response body into writes (each write is flushed: one HTTP/1.1 chunk or HTTP/2 DATA frame).</summary>
public enum ChunkMode
{
    /// <summary>Flush whenever <see cref="FakeApiServerOptions.ChunkSize"/> bytes (64 KiB by default) are pending: the fast path.</summary>
    Large,

    /// <summary>Every byte is its own write: the worst case for a framer.</summary>
    OneByte,

    /// <summary>Writes of random sizes from 1 byte to 16 KiB (log-uniform), from <see cref="FakeApiServerOptions.ChunkSeed"/>.</summary>
    Random,
}
