using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using k8s;
using StreamList.Memory;

namespace StreamList.Json;

/// <summary>
/// KubernetesClient's own <see cref="JsonSerializerOptions"/> (camelCase names, its date/time,
/// TimeSpan, enum and V1Status converters, its source-generated type info), taken once.
///
/// Contract: <see cref="KubernetesJson.AddJsonOptions"/> calls its delegate with the live static
/// options object that <c>KubernetesJson.Serialize/Deserialize</c> use (verified against
/// KubernetesClient 21.0.8 by <c>KubernetesJsonOptionsTests</c>), so decoding here matches the
/// official client exactly, including converters a user added through the same method before
/// first use. The delegate does not change the options. As in KubernetesClient, the options
/// become read-only once a type's metadata is first requested.
/// </summary>
internal static class KubernetesJsonOptions
{
    /// <summary>The options object KubernetesClient serializes with.</summary>
    public static JsonSerializerOptions Options { get; } = Capture();

    /// <summary>Type metadata for <typeparamref name="T"/>, resolved once, as <c>KubernetesJson.Deserialize</c> does.</summary>
    public static JsonTypeInfo<T> TypeInfo<T>() => Cache<T>.Info;

    private static readonly ConditionalWeakTable<Utf8StringPool, JsonSerializerOptions> s_interning = [];

    /// <summary>
    /// Type metadata for <typeparamref name="T"/> whose strings go through <paramref name="strings"/>
    /// (<see cref="InterningStringConverter"/>), or KubernetesClient's own when it is null: a copy of
    /// the options above plus the converter, made once per pool.
    /// </summary>
    public static JsonTypeInfo<T> TypeInfo<T>(Utf8StringPool? strings) =>
        strings is null ? Cache<T>.Info
            : (JsonTypeInfo<T>)s_interning.GetValue(strings, static pool => new JsonSerializerOptions(Options) { Converters = { new InterningStringConverter(pool) } })
                .GetTypeInfo(typeof(T));

    private static JsonSerializerOptions Capture()
    {
        JsonSerializerOptions? captured = null;
        KubernetesJson.AddJsonOptions(o => captured = o);
        return captured ?? throw new InvalidOperationException("KubernetesJson.AddJsonOptions did not hand out its serializer options");
    }

    private static class Cache<T>
    {
        public static readonly JsonTypeInfo<T> Info = (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T));
    }
}
