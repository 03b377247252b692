using StreamList.Wire;

namespace StreamList.Codec;

/// <summary>Reads a message body (the reader's current limit) into a new model object.</summary>
internal delegate object BodyReader(ref ProtoReader r);

/// <summary>
/// One kind the protobuf codec knows: its type, body reader and writer; for lists, how to read one
/// item; and how to make an instance's collections read-only (<see cref="ReadOnlyCollections"/>).
/// </summary>
internal sealed record ProtobufKind(
    string ApiVersion,
    string Kind,
    Type Type,
    BodyReader ReadBody,
    Action<ProtoWriter, object> WriteBody,
    Type? ItemType,
    BodyReader? ReadItem,
    Action<object> Freeze);
