namespace StreamList.Wire;

/// <summary>Protobuf wire types, the low three bits of every field tag.</summary>
internal enum WireType : byte
{
    Varint = 0,
    Fixed64 = 1,
    LengthDelimited = 2,
    StartGroup = 3,
    EndGroup = 4,
    Fixed32 = 5,
}
