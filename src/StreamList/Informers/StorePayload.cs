using System.Buffers;
using k8s;
using k8s.Models;
using StreamList.Codec;
using StreamList.Memory;
using StreamList.Wire;

namespace StreamList.Informers;

/// <summary>
/// How an <see cref="InformerStore{T}"/> holds one object, by <see cref="StoreMode"/>.
/// <see cref="StoreMode.Objects"/>: the instance itself. <see cref="StoreMode.Compact"/>: the
/// object's protobuf message body (no envelope) in one array that the store alone owns — the
/// wire bytes copied, or a fresh encode, never a slice of a list body or a pooled buffer, so it
/// keeps nothing else alive — decoded into a new instance on every read.
/// <see cref="StoreMode.Compressed"/>: that message through <see cref="TrainedCompression"/> (a
/// <see cref="CompressedMessage"/>, or the message itself until the dictionary is trained),
/// decompressed into a rented buffer and decoded on every read.
///
/// Contract: a payload is immutable once captured (an encoded array is never written again), so a
/// reader may decode one outside any lock. Decoded objects carry the registry's apiVersion and kind
/// (e.g. <c>v1</c>/<c>Pod</c>, as a GET or a watch event has them): the message body holds neither.
/// Decoding uses the store's <see cref="DecodeOptions"/> (depth limit), sharing repeated parts
/// (<see cref="DecodeOptions.ShareParts"/>: what a store returns is read-only, <see cref="IStore{T}"/>)
/// and deferring managedFields until a reader asks for them (<see cref="DecodeOptions.DeferManagedFields"/>).
/// It interns no strings: a read's object is its caller's, made for that read, so the pool would
/// save no memory, and at 500k pods its lookups miss the CPU caches (2 µs of a 9 µs read, docs/benchmarks.md).
/// </summary>
internal sealed class StorePayload<T>
    where T : class
{
    private readonly ProtobufKind? _kind;
    private readonly DecodeOptions _options;
    private readonly TrainedCompression? _compression;

    private StorePayload(ProtobufKind? kind, DecodeOptions options, TrainedCompression? compression)
    {
        _kind = kind;
        _options = options;
        _compression = compression;
    }

    /// <summary>The payload policy for <paramref name="mode"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="mode"/> is Compact and <typeparamref name="T"/> has no protobuf encoding.</exception>
    public static StorePayload<T> Create(StoreMode mode, DecodeOptions? decode) => mode switch
    {
        StoreMode.Objects => new StorePayload<T>(null, decode ?? DecodeOptions.Default, null),
        StoreMode.Compact or StoreMode.Compressed => new StorePayload<T>(
            ProtobufRegistry.ForType(typeof(T))
                ?? throw new ArgumentException($"{typeof(T).Name} has no Kubernetes protobuf encoding, so it cannot be stored compactly", nameof(mode)),
            (decode ?? DecodeOptions.Default) with { ShareParts = true, DeferManagedFields = true, Strings = null },
            mode == StoreMode.Compressed ? new TrainedCompression() : null),
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown store mode"),
    };

    /// <summary>True when payloads are encoded bytes (compressed or not).</summary>
    public bool IsCompact => _kind is not null;

    /// <summary>The compression in use (Compressed mode), for diagnostics and tests.</summary>
    public TrainedCompression? Compression => _compression;

    /// <summary>What the store keeps for <paramref name="obj"/>: the instance, or a newly encoded message body (packed). Writer only.</summary>
    public object Capture(T obj) => _kind is null ? obj : Pack(ListEncoding.EncodeMessage(obj));

    /// <summary>What the store keeps for an owned message body: the body, or its compressed form. Writer only.</summary>
    public object Pack(byte[] message) => _compression?.Pack(message) ?? message;

    /// <summary>The object a payload holds: the instance itself, or a newly decoded one.</summary>
    public T Read(object payload) =>
        _kind is null ? (T)payload : OnMessage(payload, static (self, message) => self.Decode(message));

    private T Decode(ReadOnlySpan<byte> message)
    {
        var r = _options.Reader(message);
        var obj = (T)_kind!.ReadBody(ref r);
        if (obj is IKubernetesObject k)
        {
            k.ApiVersion = _kind.ApiVersion;
            k.Kind = _kind.Kind;
        }
        return obj;
    }

    /// <summary>A byte payload's metadata (field 1 of every top-level message), decoded without the rest; null when absent.</summary>
    public V1ObjectMeta? ReadMetadata(object payload) =>
        OnMessage(payload, static (self, message) => self.ReadMetadata(message));

    /// <summary>Runs <paramref name="use"/> on a byte payload's message: the array, or a compressed one restored into a rented buffer.</summary>
    private TResult OnMessage<TResult>(object payload, Func<StorePayload<T>, ReadOnlySpan<byte>, TResult> use)
    {
        if (payload is not CompressedMessage packed)
            return use(this, (byte[])payload);
        var buffer = packed.Dictionary.Decompress(packed);
        try
        {
            return use(this, buffer.AsSpan(0, packed.OriginalLength));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private V1ObjectMeta? ReadMetadata(ReadOnlySpan<byte> payload)
    {
        var r = _options.Reader(payload);
        return MetadataOnlyReader.ReadMetadata(ref r);
    }

    /// <summary>Encoded bytes a payload holds (0 for an object).</summary>
    public long SizeOf(object payload) => payload switch
    {
        byte[] message => message.Length,
        CompressedMessage packed => packed.Data.Length,
        _ => 0,
    };
}
