using System.Text;
using StreamList.Memory;

namespace StreamList.Tests.Memory;

/// <summary><see cref="Utf8Text"/> gives exactly what <see cref="Encoding.UTF8"/> gives, ASCII or not, valid or not, at every length and position.</summary>
public class Utf8TextTests
{
    [Fact]
    public void Every_length_with_every_position_of_a_non_ASCII_sequence_decodes_as_the_UTF8_decoder_does()
    {
        byte[][] inserts = [[], "é"u8.ToArray(), "😀"u8.ToArray(), [0xFF], [0xC3], [0xE2, 0x82], [0x80], [0x7F], [0x00]];
        for (int length = 0; length <= 80; length++)
        {
            var ascii = Enumerable.Range(0, length).Select(i => (byte)('a' + i % 26)).ToArray();
            foreach (var insert in inserts)
            {
                for (int at = 0; at <= length; at++)
                {
                    byte[] bytes = [.. ascii[..at], .. insert, .. ascii[at..]];
                    Assert.Equal(Encoding.UTF8.GetString(bytes), Utf8Text.ToString(bytes));
                }
            }
        }
    }
}
