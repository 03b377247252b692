using System.Buffers;
using k8s;
using StreamList.Codec;
using StreamList.Wire;

namespace StreamList.Codec;

/// <summary>
/// Decodes and encodes single Kubernetes objects in the apiserver's protobuf encoding
/// (<c>application/vnd.kubernetes.protobuf</c>) into and from KubernetesClient's models.
/// Decoded objects own their data: they hold no reference to the input.
/// </summary>
public static class KubernetesProtobuf
{
    /// <summary>The protobuf media type.</summary>
    public const string MediaType = "application/vnd.kubernetes.protobuf";

    /// <summary>Decodes one enveloped object of any known kind.</summary>
    /// <exception cref="KubernetesWireException">The bytes are not a valid object of a known kind.</exception>
    public static object Decode(ReadOnlySpan<byte> data, DecodeOptions? options = null) =>
        DecodeEnveloped(data, options ?? DecodeOptions.Default, baseOffset: 0);

    /// <summary>
    /// Decodes one enveloped object, which must be of type <typeparamref name="T"/>. An envelope
    /// with an empty kind (as inside watch events) is read as <typeparamref name="T"/>.
    /// </summary>
    /// <exception cref="KubernetesWireException">The bytes are not a valid <typeparamref name="T"/>.</exception>
    public static T Decode<T>(ReadOnlySpan<byte> data, DecodeOptions? options = null)
        where T : class =>
        (T)DecodeEnveloped(data, options ?? DecodeOptions.Default, baseOffset: 0, expected: typeof(T));

    /// <summary>Decodes one enveloped object of type <paramref name="type"/> (used when the envelope's kind is empty).</summary>
    /// <exception cref="KubernetesWireException">The bytes are not a valid object of that type.</exception>
    public static object Decode(ReadOnlySpan<byte> data, Type type, DecodeOptions? options = null) =>
        DecodeEnveloped(data, options ?? DecodeOptions.Default, baseOffset: 0, expected: type);

    /// <summary>Decodes one enveloped object that may span several buffer segments.</summary>
    public static object Decode(in ReadOnlySequence<byte> data, DecodeOptions? options = null)
    {
        if (data.IsSingleSegment)
            return Decode(data.FirstSpan, options);
        var (buffer, length) = Contiguous.Rent(data, (options ?? DecodeOptions.Default).MaxMessageBytes, 0);
        try
        {
            return Decode(buffer.AsSpan(0, length), options);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    internal static object DecodeEnveloped(ReadOnlySpan<byte> data, DecodeOptions options, long baseOffset, Type? expected = null)
    {
        var header = Envelope.Read(data, baseOffset);
        if (header.RawLength > options.MaxMessageBytes)
            throw new KubernetesWireException(WireErrorKind.MessageTooLarge, baseOffset + header.RawOffset, "raw",
                $"object of {header.RawLength} bytes exceeds the {options.MaxMessageBytes}-byte limit");
        var kind = KindOf(header, expected, baseOffset);
        var r = options.Reader(data.Slice(header.RawOffset, header.RawLength), baseOffset + header.RawOffset, list: kind.ItemType is not null);
        var obj = MetadataOnlyReader.For(kind, options)(ref r);
        if (obj is IKubernetesObject k)
        {
            k.ApiVersion = header.ApiVersion;
            k.Kind = header.Kind;
        }
        return obj;
    }

    private static ProtobufKind KindOf(Envelope.Header header, Type? expected, long baseOffset)
    {
        if (header.Kind.Length == 0 && expected is not null && ProtobufRegistry.ForType(expected) is { } byType)
            return byType;
        var kind = ProtobufRegistry.Find(header.ApiVersion, header.Kind)
            ?? throw new KubernetesWireException(WireErrorKind.UnknownKind, baseOffset + 4, "typeMeta",
                $"no protobuf decoder for apiVersion '{header.ApiVersion}' kind '{header.Kind}'");
        if (expected is not null && !expected.IsAssignableFrom(kind.Type))
            throw new KubernetesWireException(WireErrorKind.UnexpectedKind, baseOffset + 4, "typeMeta",
                $"expected {expected.Name}, the body holds {header.ApiVersion} {header.Kind}");
        return kind;
    }

    /// <summary>Encodes an object as the apiserver would: envelope, then the message with fields in number order.</summary>
    /// <exception cref="ArgumentException">The object's type has no protobuf encoding.</exception>
    public static byte[] Encode(object value)
    {
        var w = new ProtoWriter();
        Write(w, value);
        return w.ToArray();
    }

    /// <summary>Encodes an object into <paramref name="output"/>.</summary>
    public static void Encode(object value, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var w = new ProtoWriter();
        Write(w, value);
        output.Write(w.WrittenSpan);
    }

    internal static void Write(ProtoWriter w, object value, string? apiVersion = null, string? kindName = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        var kind = ProtobufRegistry.ForType(value.GetType())
            ?? throw new ArgumentException($"{value.GetType().Name} has no Kubernetes protobuf encoding", nameof(value));
        int mark = Envelope.BeginBody(w);
        kind.WriteBody(w, value);
        Envelope.WriteAround(w, mark, apiVersion ?? kind.ApiVersion, kindName ?? kind.Kind);
    }

    /// <summary>True when the protobuf codec knows this apiVersion and kind.</summary>
    public static bool IsKnownKind(string apiVersion, string kind) => ProtobufRegistry.Find(apiVersion, kind) is not null;
}
