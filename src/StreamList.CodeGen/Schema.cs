using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace StreamList.CodeGen;

/// <summary>How the apiserver writes a singular field (protos/streamlist_options.proto).</summary>
public enum Presence
{
    WhenSet = 0,
    Always = 1,
    AlwaysZeroUnset = 2,
}

/// <summary>One proto field, as the generator needs it.</summary>
public sealed record ProtoField(
    string Name,
    int Number,
    bool Repeated,
    FieldDescriptorProto.Types.Type Type,
    string? TypeName,
    Presence Presence,
    bool Inline,
    ProtoMessage? MapEntry);

/// <summary>One proto message: <c>FullName</c> is <c>package.Name</c>.</summary>
public sealed record ProtoMessage(string Package, string Name, IReadOnlyList<ProtoField> Fields, bool IsMapEntry, string File)
{
    public string FullName => Package + "." + Name;
}

/// <summary>The schema read from protoc's descriptor set: every message of every file in protos/.</summary>
public sealed class Schema
{
    private static readonly Extension<FieldOptions, int> PresenceOption =
        new(51234, FieldCodec.ForInt32(WireFormat.MakeTag(51234, WireFormat.WireType.Varint)));

    private static readonly Extension<FieldOptions, bool> InlineOption =
        new(51235, FieldCodec.ForBool(WireFormat.MakeTag(51235, WireFormat.WireType.Varint)));

    public required IReadOnlyDictionary<string, ProtoMessage> Messages { get; init; }

    public static Schema Load(byte[] descriptorSet)
    {
        var parser = FileDescriptorSet.Parser.WithExtensionRegistry(new ExtensionRegistry { PresenceOption, InlineOption });
        var set = parser.ParseFrom(descriptorSet);
        var messages = new Dictionary<string, ProtoMessage>(StringComparer.Ordinal);
        foreach (var file in set.File)
        {
            if (file.Package.StartsWith("google.", StringComparison.Ordinal) || file.Package == "streamlist")
                continue;
            foreach (var m in file.MessageType)
                Add(file.Package, file.Name, m, messages, prefix: "");
        }
        return new Schema { Messages = messages };
    }

    private static void Add(string package, string file, DescriptorProto m, Dictionary<string, ProtoMessage> into, string prefix)
    {
        var nested = new Dictionary<string, ProtoMessage>(StringComparer.Ordinal);
        foreach (var n in m.NestedType)
            Add(package, file, n, nested, prefix + m.Name + ".");
        foreach (var (k, v) in nested)
            into[k] = v;

        var fields = new List<ProtoField>();
        foreach (var f in m.Field)
        {
            ProtoMessage? mapEntry = null;
            string? typeName = f.HasTypeName ? f.TypeName.TrimStart('.') : null;
            if (typeName is not null && nested.TryGetValue(typeName, out var entry) && entry.IsMapEntry)
                mapEntry = entry;
            var presence = f.Options is { } o && o.HasExtension(PresenceOption) ? (Presence)o.GetExtension(PresenceOption) : Presence.WhenSet;
            bool inline = f.Options is { } io && io.HasExtension(InlineOption) && io.GetExtension(InlineOption);
            fields.Add(new ProtoField(f.Name, f.Number, f.Label == FieldDescriptorProto.Types.Label.Repeated, f.Type, typeName, presence, inline, mapEntry));
        }
        var msg = new ProtoMessage(package, prefix + m.Name, fields, m.Options?.MapEntry == true, file);
        into[msg.FullName] = msg;
    }
}
