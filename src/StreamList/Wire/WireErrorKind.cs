namespace StreamList.Wire;

/// <summary>Why a Kubernetes wire payload could not be decoded.</summary>
public enum WireErrorKind
{
    /// <summary>The input ended inside a field, a length or a message.</summary>
    Truncated,
    /// <summary>A varint longer than ten bytes or overflowing 64 bits.</summary>
    MalformedVarint,
    /// <summary>A declared length runs past the end of its enclosing message.</summary>
    LengthOutOfRange,
    /// <summary>A declared length exceeds the configured message size limit.</summary>
    MessageTooLarge,
    /// <summary>A known field arrived with a wire type its schema does not allow.</summary>
    WrongWireType,
    /// <summary>A tag with field number zero, or an end-group without its start.</summary>
    InvalidTag,
    /// <summary>Messages nested deeper than the configured limit.</summary>
    TooDeep,
    /// <summary>The payload does not start with the <c>k8s\0</c> magic.</summary>
    BadMagic,
    /// <summary>The envelope names an apiVersion/kind this decoder does not know.</summary>
    UnknownKind,
    /// <summary>The envelope or list has a kind other than the one asked for.</summary>
    UnexpectedKind,
    /// <summary>A value is well-formed on the wire but not valid for its type (bad JSON, bad quantity).</summary>
    InvalidValue,
    /// <summary>A JSON body that is not a well-formed Kubernetes JSON document.</summary>
    InvalidJson,
    /// <summary>The response's Content-Type is neither protobuf nor JSON.</summary>
    UnsupportedMediaType,
}
