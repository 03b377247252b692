namespace StreamList.Http;

/// <summary>The media types the apiserver speaks, and how to tell them apart in a Content-Type.</summary>
internal static class MediaTypes
{
    public const string Protobuf = "application/vnd.kubernetes.protobuf";
    public const string Json = "application/json";
    public const string ProtobufOrJson = Protobuf + ", " + Json;

    public static bool IsProtobuf(string? contentType) => contentType is not null && contentType.StartsWith(Protobuf, StringComparison.OrdinalIgnoreCase);

    public static bool IsJson(string? contentType) => contentType is not null && contentType.StartsWith(Json, StringComparison.OrdinalIgnoreCase);
}
