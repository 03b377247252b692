using System.Text;

namespace StreamList.Memory;

/// <summary>
/// UTF-8 bytes as a new string. Nearly every string a Kubernetes object holds is ASCII: those are
/// checked and widened in two vectorised passes, without the general decoder's setup per call;
/// anything else goes through <see cref="Encoding.UTF8"/> (invalid sequences become U+FFFD, as there).
/// </summary>
internal static class Utf8Text
{
    public static string ToString(ReadOnlySpan<byte> utf8) =>
        Ascii.IsValid(utf8)
            ? string.Create(utf8.Length, utf8, static (chars, bytes) => Ascii.ToUtf16(bytes, chars, out _))
            : Encoding.UTF8.GetString(utf8);
}
