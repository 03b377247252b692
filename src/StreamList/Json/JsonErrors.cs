using StreamList.Wire;

namespace StreamList.Json;

/// <summary>
/// The <see cref="KubernetesWireException"/>s the JSON layer throws, one factory per cause, so every
/// JSON error names its kind, absolute byte offset and field path the same way.
/// </summary>
internal static class JsonErrors
{
    public static KubernetesWireException Truncated(long offset, string path, string what) =>
        new(WireErrorKind.Truncated, offset, path, $"the body ended inside {what}");

    public static KubernetesWireException TooLarge(long offset, string path, long bytes, int limit) =>
        new(WireErrorKind.MessageTooLarge, offset, path, $"more than {limit} bytes buffered ({bytes}) for one value, over the size limit");

    public static KubernetesWireException TooDeep(long offset, string path, int limit) =>
        new(WireErrorKind.TooDeep, offset, path, $"JSON nested deeper than {limit} levels");

    public static KubernetesWireException Invalid(long offset, string path, string reason, Exception? inner = null) =>
        new(WireErrorKind.InvalidJson, offset, path, reason, inner);

    /// <summary>An item path such as <c>items[3]</c>.</summary>
    public static string Indexed(string field, long index) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{field}[{index}]");
}
