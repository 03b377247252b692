namespace StreamList.Wire;

/// <summary>
/// The one exception StreamList throws for bytes it cannot decode: protobuf or JSON, a list,
/// a watch frame or a single object. It says what went wrong (<see cref="Kind"/>), where
/// (<see cref="Offset"/> from the start of the body and <see cref="FieldPath"/>), and why.
/// </summary>
public sealed class KubernetesWireException : Exception
{
    /// <summary>Creates the exception.</summary>
    public KubernetesWireException(WireErrorKind kind, long offset, string fieldPath, string reason, Exception? inner = null)
        : base(Format(kind, offset, fieldPath, reason), inner)
    {
        Kind = kind;
        Offset = offset;
        FieldPath = fieldPath;
        Reason = reason;
    }

    /// <summary>What went wrong.</summary>
    public WireErrorKind Kind { get; }

    /// <summary>Byte offset from the start of the decoded body (or of the watch stream).</summary>
    public long Offset { get; }

    /// <summary>Dotted path of proto/JSON field names to the failing field; empty at top level.</summary>
    public string FieldPath { get; }

    /// <summary>Human-readable reason.</summary>
    public string Reason { get; }

    /// <summary>
    /// This error, raised by a reader nested in another decode (a list's part, an embedded object, deferred
    /// entries), as that decode reports it: its path under <paramref name="outerPath"/> and, for a depth
    /// error, <paramref name="tooDeep"/> as the reason (the nested reader knew only the depth left).
    /// </summary>
    internal KubernetesWireException Within(string outerPath, string? tooDeep = null)
    {
        string path = FieldPath.Length == 0 ? outerPath : outerPath.Length == 0 ? FieldPath : outerPath + "." + FieldPath;
        return new(Kind, Offset, path, Kind == WireErrorKind.TooDeep && tooDeep is not null ? tooDeep : Reason, this);
    }

    private static string Format(WireErrorKind kind, long offset, string path, string reason) =>
        path.Length == 0
            ? $"{kind} at byte {offset}: {reason}"
            : $"{kind} at byte {offset} in {path}: {reason}";
}
