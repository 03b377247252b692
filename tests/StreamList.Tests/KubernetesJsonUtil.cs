using System.Reflection;
using System.Text.Json;
using k8s;

namespace StreamList.Tests;

/// <summary>KubernetesClient's JSON decode for a type known only at run time.</summary>
public static class KubernetesJsonUtil
{
    private static readonly MethodInfo s_deserialize = typeof(KubernetesJson).GetMethods()
        .Single(m => m.Name == "Deserialize" && m.GetParameters() is [{ ParameterType: var p }, _] && p == typeof(string));

    public static object Deserialize(string json, Type type) =>
        s_deserialize.MakeGenericMethod(type).Invoke(null, [json, null])!;

    /// <summary>
    /// KubernetesClient's JSON encoding of an object. V1Status has a read-only converter in
    /// KubernetesClient, so its properties are serialized one by one.
    /// </summary>
    public static string Serialize(object value) => value is k8s.Models.V1Status s
        ? KubernetesJson.Serialize(new { s.ApiVersion, s.Kind, s.Metadata, s.Status, s.Message, s.Reason, s.Details, s.Code })
        : KubernetesJson.Serialize(value);
}
