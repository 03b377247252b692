namespace StreamList.Codec;

/// <summary>
/// Orders strings as Go's <c>sort.Strings</c> does: by UTF-8 bytes, which is code-point order.
/// Ordinal UTF-16 order differs only when a surrogate pair meets a character in U+E000–U+FFFF.
/// </summary>
internal sealed class Utf8Order : IComparer<string>
{
    public static readonly Utf8Order Ascending = new(1);
    public static readonly IComparer<string> Descending = new Utf8Order(-1);

    private readonly int _sign;

    private Utf8Order(int sign) => _sign = sign;

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y))
            return 0;
        if (x is null)
            return -_sign;
        if (y is null)
            return _sign;
        int n = Math.Min(x.Length, y.Length);
        for (int i = 0; i < n; i++)
        {
            char a = x[i], b = y[i];
            if (a != b)
                return _sign * (Fix(a) - Fix(b));
        }
        return _sign * (x.Length - y.Length);
    }

    // Moves surrogates (D800–DFFF) above E000–FFFF so UTF-16 units compare in code-point order.
    private static int Fix(char c) => c >= 0xD800 ? (c >= 0xE000 ? c - 0x800 : c + 0x2000) : c;
}
