namespace StreamList.Wire;

/// <summary>Limits every decoder checks before it buffers or descends.</summary>
public static class DecodeLimits
{
    /// <summary>Deepest nesting of messages accepted (Kubernetes objects nest about 12 deep).</summary>
    public const int DefaultMaxDepth = 64;

    /// <summary>Largest single object, list item or watch frame accepted: 16 MiB, as client-go.</summary>
    public const int DefaultMaxMessageBytes = 16 * 1024 * 1024;
}
