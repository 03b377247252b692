using System.Reflection;
using System.Text.Json.Serialization;
using Google.Protobuf.Reflection;
using k8s.Models;
using ProtoType = Google.Protobuf.Reflection.FieldDescriptorProto.Types.Type;

namespace StreamList.CodeGen;

/// <summary>What a field's values are, once bound to the model.</summary>
public enum ValueKind
{
    String, Int32, Int64, Bool, Double, Float, Bytes,
    Message, Time, MicroTime, Quantity, IntOrString, RawExtension, FieldsV1, StringListWrapper, EmptyObject,
}

/// <summary>Single value, repeated list, map with string keys, or an inline (JSON-flattened) message.</summary>
public enum Shape { Single, Repeated, Map, Inline }

public sealed record BoundValue(ValueKind Kind, Type ClrType, BoundMessage? Message = null)
{
    /// <summary>The C# name of the element type (without nullable marker).</summary>
    public string CsName => Kind == ValueKind.Message ? Message!.ClassName : Binder.CsName(ClrType);
}

public sealed record BoundField(ProtoField Proto, PropertyInfo? Property, Shape Shape, BoundValue? Value, bool ClrNullable, bool Intern)
{
    /// <summary>For <see cref="Shape.Inline"/>: the inline message's fields, bound to the parent's properties.</summary>
    public IReadOnlyList<BoundField> InlineFields { get; init; } = [];

    /// <summary>For <see cref="Shape.Repeated"/>: the list's elements are nullable value types (IList&lt;int?&gt;).</summary>
    public bool ElementNullable { get; init; }

    public string Name => Proto.Name;
    public int Number => Proto.Number;
}

public sealed class BoundMessage(ProtoMessage proto, Type modelType)
{
    public ProtoMessage Proto { get; } = proto;
    public Type ModelType { get; } = modelType;
    public string ClassName => ModelType.Name;
    public List<BoundField> Fields { get; } = [];
    public List<(string Owner, ProtoField Field, string Reason)> SkippedFields { get; } = [];
}

/// <summary>
/// Binds each proto message to the KubernetesClient model class of the same API type and each
/// proto field to the property with the same JSON name, checking their types. Anything that does
/// not bind must be listed in known-gaps.txt; the result is the input of the emitter.
/// </summary>
public sealed class Binder
{
    // Messages the codec handles by hand (Codec/*.cs): well-known shapes, not model classes.
    public static readonly IReadOnlyDictionary<string, ValueKind> Special = new Dictionary<string, ValueKind>
    {
        ["k8s.io.apimachinery.pkg.apis.meta.v1.Time"] = ValueKind.Time,
        ["k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime"] = ValueKind.MicroTime,
        ["k8s.io.apimachinery.pkg.api.resource.Quantity"] = ValueKind.Quantity,
        ["k8s.io.apimachinery.pkg.util.intstr.IntOrString"] = ValueKind.IntOrString,
        ["k8s.io.apimachinery.pkg.runtime.RawExtension"] = ValueKind.RawExtension,
        ["k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1"] = ValueKind.FieldsV1,
    };

    // Hand-written envelope types (Wire/Envelope.cs) and the Timestamp inside Time.
    private static readonly HashSet<string> HandWritten =
    [
        "k8s.io.apimachinery.pkg.runtime.Unknown",
        "k8s.io.apimachinery.pkg.runtime.TypeMeta",
        "k8s.io.apimachinery.pkg.apis.meta.v1.Timestamp",
    ];

    // Values unique to one object: never worth a lookup in the string pool.
    private static readonly HashSet<string> NotInterned =
    [
        "k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta.name",
        "k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta.uid",
        "k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta.resourceVersion",
        "k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta.selfLink",
        "k8s.io.apimachinery.pkg.apis.meta.v1.ListMeta.resourceVersion",
        "k8s.io.apimachinery.pkg.apis.meta.v1.ListMeta.continue",
        "k8s.io.apimachinery.pkg.apis.meta.v1.ListMeta.selfLink",
        "k8s.io.api.core.v1.PodStatus.podIP",
        "k8s.io.api.core.v1.PodIP.ip",
        "k8s.io.api.core.v1.ContainerStatus.containerID",
        "k8s.io.api.core.v1.ObjectReference.uid",
        "k8s.io.api.core.v1.ObjectReference.resourceVersion",
    ];

    private readonly Schema _schema;
    private readonly KnownGaps _gaps;
    private readonly Dictionary<string, Type> _models;
    private readonly Dictionary<string, BoundMessage> _bound = new(StringComparer.Ordinal);
    private readonly List<string> _errors = [];

    public Binder(Schema schema, KnownGaps gaps)
    {
        _schema = schema;
        _gaps = gaps;
        _models = typeof(V1Pod).Assembly.GetTypes()
            .Where(t => t.Namespace == "k8s.Models" && t.IsClass && t.IsPublic)
            .ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    public IReadOnlyList<string> Errors => _errors;

    /// <summary>Binds every message; returns them in a stable order (file, then message name).</summary>
    public IReadOnlyList<BoundMessage> BindAll()
    {
        // Messages that only ever appear inline have no model class of their own: their fields
        // are the parent's properties.
        var inlineOnly = _schema.Messages.Values.SelectMany(m => m.Fields).Where(f => f.Inline && f.TypeName is not null)
            .Select(f => f.TypeName!).ToHashSet(StringComparer.Ordinal);
        foreach (var m in _schema.Messages.Values.OrderBy(m => m.FullName, StringComparer.Ordinal))
        {
            if (m.IsMapEntry || Special.ContainsKey(m.FullName) || HandWritten.Contains(m.FullName) || IsStringListWrapper(m) || IsEmptyMarker(m))
                continue;
            if (_gaps.Allows("package", m.Package) | _gaps.Allows("message", m.FullName))
                continue;
            var model = FindModel(m);
            if (model is null && inlineOnly.Contains(m.FullName))
                continue;
            if (model is null)
            {
                if (!_gaps.Allows("message", m.FullName))
                    _errors.Add($"message {m.FullName}: no KubernetesClient model class (add it to known-gaps.txt with a reason)");
                continue;
            }
            _bound[m.FullName] = new BoundMessage(m, model);
        }
        foreach (var b in _bound.Values)
            BindFields(b);
        foreach (var unused in _gaps.Unused())
            _errors.Add($"known-gaps.txt: '{unused}' matches nothing; remove it");
        return _bound.Values.OrderBy(b => b.Proto.File, StringComparer.Ordinal).ThenBy(b => b.Proto.Name, StringComparer.Ordinal).ToList();
    }

    private Type? FindModel(ProtoMessage m) => _models.GetValueOrDefault(FindModelName(m));

    /// <summary>KubernetesClient's class name for a message: Group+version prefix where names collide across groups, else Version.</summary>
    private string FindModelName(ProtoMessage m)
    {
        var (group, version) = GroupVersion(m.Package);
        string v = char.ToUpperInvariant(version[0]) + version[1..];
        string g = char.ToUpperInvariant(group[0]) + group[1..];
        return _models.ContainsKey(g + version + m.Name) ? g + version + m.Name : v + m.Name;
    }

    /// <summary>Group and version of a proto package: k8s.io.api.apps.v1 → (apps, v1); meta/v1 → (meta, v1).</summary>
    public static (string Group, string Version) GroupVersion(string package)
    {
        var parts = package.Split('.');
        return (parts[^2], parts[^1]);
    }

    // An empty Go struct used as a union marker; the OpenAPI spec and so KubernetesClient type it as object.
    private bool IsEmptyMarker(ProtoMessage m) => m.Fields.Count == 0 && !_models.ContainsKey(FindModelName(m));

    private static bool IsStringListWrapper(ProtoMessage m) =>
        m.Fields.Count == 1 && m.Fields[0] is { Name: "items", Number: 1, Repeated: true, Type: ProtoType.String };

    private void BindFields(BoundMessage b)
    {
        var props = b.ModelType.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => (p, json: p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name))
            .Where(x => x.json is not null)
            .ToDictionary(x => x.json!, x => x.p, StringComparer.Ordinal);
        var matched = new HashSet<string>(StringComparer.Ordinal);
        b.Fields.AddRange(BindMessageFields(b, b.Proto, props, matched));
        bool isEntity = b.ModelType.GetCustomAttribute<KubernetesEntityAttribute>() is not null;
        foreach (var (json, prop) in props.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (matched.Contains(json))
                continue;
            if (isEntity && json is "apiVersion" or "kind")
                continue; // TypeMeta: carried by the envelope, not the message.
            string target = b.ClassName + "." + prop.Name;
            if (!_gaps.Allows("property", target))
                _errors.Add($"property {target} (json '{json}'): no field in {b.Proto.FullName}");
        }
    }

    /// <summary>Binds the fields of <paramref name="proto"/> (the message itself, or one inlined into it) to the model's properties.</summary>
    private List<BoundField> BindMessageFields(BoundMessage b, ProtoMessage proto, Dictionary<string, PropertyInfo> props, HashSet<string> matched)
    {
        var result = new List<BoundField>();
        foreach (var f in proto.Fields.OrderBy(f => f.Number))
        {
            string target = proto.FullName + "." + f.Name;
            if (f.Inline && f.Type == ProtoType.Message && !f.Repeated && _schema.Messages.TryGetValue(f.TypeName!, out var inlined))
            {
                var inner = BindMessageFields(b, inlined, props, matched);
                result.Add(new BoundField(f, null, Shape.Inline, null, ClrNullable: false, Intern: false) { InlineFields = inner });
                continue;
            }
            if (!props.TryGetValue(f.Name, out var prop))
            {
                if (_gaps.Allows("field", target))
                    b.SkippedFields.Add((proto.FullName, f, _gaps.Reason("field", target)!));
                else
                    _errors.Add($"field {target}: {b.ClassName} has no property with JSON name '{f.Name}'");
                continue;
            }
            matched.Add(f.Name);
            var bound = BindField(b, f, prop, target);
            if (bound is not null)
                result.Add(bound);
        }
        return result;
    }

    private BoundField? BindField(BoundMessage owner, ProtoField f, PropertyInfo prop, string target)
    {
        Shape shape = f.MapEntry is not null ? Shape.Map : f.Repeated ? Shape.Repeated : Shape.Single;
        ProtoField valueField = f;
        if (shape == Shape.Map)
        {
            var key = f.MapEntry!.Fields.Single(x => x.Number == 1);
            if (key.Type != ProtoType.String)
            {
                _errors.Add($"field {target}: map keys of type {key.Type} are not supported");
                return null;
            }
            valueField = f.MapEntry.Fields.Single(x => x.Number == 2);
        }
        var value = BindValue(valueField, target);
        if (value is null)
            return null;

        Type expected = shape switch
        {
            Shape.Repeated => typeof(IList<>).MakeGenericType(value.ClrType),
            Shape.Map => typeof(IDictionary<,>).MakeGenericType(typeof(string), value.ClrType),
            _ => value.ClrType,
        };
        Type actual = prop.PropertyType;
        bool elementNullable = false;
        if (shape == Shape.Repeated && value.ClrType.IsValueType && actual == typeof(IList<>).MakeGenericType(typeof(Nullable<>).MakeGenericType(value.ClrType)))
        {
            actual = expected;
            elementNullable = true;
        }
        bool clrNullable = false;
        if (shape == Shape.Single && Nullable.GetUnderlyingType(actual) is { } underlying)
        {
            actual = underlying;
            clrNullable = true;
        }
        else if (!actual.IsValueType)
        {
            clrNullable = true;
        }
        if (actual != expected)
        {
            _errors.Add($"field {target}: proto {Describe(f)} does not match {owner.ClassName}.{prop.Name} of type {CsName(prop.PropertyType)}");
            return null;
        }
        if (prop.SetMethod is null || !prop.SetMethod.IsPublic)
        {
            _errors.Add($"field {target}: {owner.ClassName}.{prop.Name} has no public setter");
            return null;
        }
        bool intern = value.Kind == ValueKind.String && !NotInterned.Contains(target);
        return new BoundField(f, prop, shape, value, clrNullable, intern) { ElementNullable = elementNullable };
    }

    private BoundValue? BindValue(ProtoField f, string target)
    {
        switch (f.Type)
        {
            case ProtoType.String: return new BoundValue(ValueKind.String, typeof(string));
            case ProtoType.Int32: return new BoundValue(ValueKind.Int32, typeof(int));
            case ProtoType.Int64: return new BoundValue(ValueKind.Int64, typeof(long));
            case ProtoType.Bool: return new BoundValue(ValueKind.Bool, typeof(bool));
            case ProtoType.Double: return new BoundValue(ValueKind.Double, typeof(double));
            case ProtoType.Float: return new BoundValue(ValueKind.Float, typeof(float));
            case ProtoType.Bytes: return new BoundValue(ValueKind.Bytes, typeof(byte[]));
            case ProtoType.Message:
                string name = f.TypeName!;
                if (Special.TryGetValue(name, out var kind))
                {
                    Type clr = kind switch
                    {
                        ValueKind.Time or ValueKind.MicroTime => typeof(DateTime),
                        ValueKind.Quantity => typeof(ResourceQuantity),
                        ValueKind.IntOrString => typeof(IntOrString),
                        _ => typeof(object),
                    };
                    return new BoundValue(kind, clr);
                }
                if (_schema.Messages.TryGetValue(name, out var msg) && IsStringListWrapper(msg))
                    return new BoundValue(ValueKind.StringListWrapper, typeof(IList<string>));
                if (msg is not null && IsEmptyMarker(msg))
                    return new BoundValue(ValueKind.EmptyObject, typeof(object));
                if (_bound.TryGetValue(name, out var bm))
                    return new BoundValue(ValueKind.Message, bm.ModelType, bm);
                _errors.Add($"field {target}: its message type {name} has no model class");
                return null;
            default:
                _errors.Add($"field {target}: proto type {f.Type} is not supported");
                return null;
        }
    }

    private static string Describe(ProtoField f) =>
        (f.MapEntry is not null ? "map" : f.Repeated ? "repeated " : "") + (f.TypeName ?? f.Type.ToString());

    /// <summary>C# spelling of a CLR type, as generated code writes it.</summary>
    public static string CsName(Type t)
    {
        if (Nullable.GetUnderlyingType(t) is { } u)
            return CsName(u) + "?";
        if (t == typeof(string)) return "string";
        if (t == typeof(int)) return "int";
        if (t == typeof(long)) return "long";
        if (t == typeof(bool)) return "bool";
        if (t == typeof(double)) return "double";
        if (t == typeof(float)) return "float";
        if (t == typeof(byte[])) return "byte[]";
        if (t == typeof(object)) return "object";
        if (t.IsGenericType)
        {
            var name = t.Name[..t.Name.IndexOf('`', StringComparison.Ordinal)];
            return name + "<" + string.Join(", ", t.GetGenericArguments().Select(CsName)) + ">";
        }
        return t.Name;
    }
}
