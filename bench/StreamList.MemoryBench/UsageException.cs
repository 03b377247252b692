namespace StreamList.MemoryBench;

/// <summary>A flag missing or not parsing, or an unknown mode: Program prints the message on one line and exits 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
