using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace StreamList.Memory;

/// <summary>
/// The hash the decoder's bounded caches (string pool, FieldsV1 values, quantities) place values
/// by: eight bytes per step (multiply-xorshift), then the tail. Fast on short values and on the
/// 300–500-byte FieldsV1 documents alike. Not seeded: the caches hold public, bounded values, a
/// collision only costs a miss, and every hit is checked against the value itself.
/// </summary>
internal static class ByteHash
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Of(ReadOnlySpan<byte> data)
    {
        ulong h = 0x9E3779B97F4A7C15UL ^ (ulong)data.Length;
        while (data.Length >= 8)
        {
            h = (h ^ BinaryPrimitives.ReadUInt64LittleEndian(data)) * 0xBF58476D1CE4E5B9UL;
            h ^= h >> 31;
            data = data[8..];
        }
        ulong tail = 0;
        for (int i = 0; i < data.Length; i++)
            tail |= (ulong)data[i] << (8 * i);
        h = (h ^ tail) * 0x94D049BB133111EBUL;
        return (uint)(h ^ (h >> 32));
    }
}
