using System.Reflection;
using System.Text;
using k8s.Models;

namespace StreamList.CodeGen;

/// <summary>
/// Writes the kind table: for every top-level model (one with <see cref="KubernetesEntityAttribute"/>),
/// its apiVersion, kind, CLR type, body reader and writer, for lists the item reader, and its freeze.
/// </summary>
public static class RegistryEmitter
{
    public static string Emit(IReadOnlyList<BoundMessage> messages)
    {
        var sb = new StringBuilder();
        sb.AppendFormat(System.Globalization.CultureInfo.InvariantCulture, Emitter.Header, "*.proto");
        sb.Append("#nullable enable\nusing k8s.Models;\nusing StreamList.Wire;\n\nnamespace StreamList.Codec;\n\n");
        sb.Append("internal static partial class ProtobufRegistry\n{\n");
        sb.Append("    private static readonly ProtobufKind[] s_generatedKinds =\n    [\n");
        foreach (var m in messages.OrderBy(m => ApiVersion(m), StringComparer.Ordinal).ThenBy(m => m.ClassName, StringComparer.Ordinal))
        {
            var entity = m.ModelType.GetCustomAttribute<KubernetesEntityAttribute>();
            if (entity is null)
                continue;
            string c = m.ClassName;
            var items = m.Fields.FirstOrDefault(f => f.Name == "items" && f.Number == 2 && f.Shape == Shape.Repeated && f.Value!.Kind == ValueKind.Message);
            string item = items is null
                ? "null, null"
                : $"typeof({items.Value!.Message!.ClassName}), static (ref ProtoReader r) => ProtobufCodec.Read{items.Value!.Message!.ClassName}(ref r, null)";
            string freeze = Emitter.NeedsFreeze(m) ? $"static o => ProtobufCodec.Freeze{c}(({c})o)" : "static _ => { }";
            sb.Append($"        new(\"{ApiVersion(m)}\", \"{entity.Kind}\", typeof({c}), static (ref ProtoReader r) => ProtobufCodec.Merge{c}(ref r, new {c}()), static (w, o) => ProtobufCodec.Write{c}Body(w, ({c})o), {item}, {freeze}),\n");
        }
        sb.Append("    ];\n}\n");
        return sb.ToString();
    }

    private static string ApiVersion(BoundMessage m)
    {
        var e = m.ModelType.GetCustomAttribute<KubernetesEntityAttribute>();
        if (e is null)
            return "";
        return string.IsNullOrEmpty(e.Group) ? e.ApiVersion : e.Group + "/" + e.ApiVersion;
    }
}
