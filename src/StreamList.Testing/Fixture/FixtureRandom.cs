namespace StreamList.Testing.Fixture;

/// <summary>
/// The fixture's random source: SplitMix64 seeded from a hash of (seed, index, stream), so any
/// pod's values can be drawn without drawing those of the pods before it. Pure arithmetic: the
/// same key gives the same sequence on every machine and runtime (no <see cref="Random"/>, no
/// string hashing).
/// </summary>
internal struct FixtureRandom
{
    private ulong _state;

    public FixtureRandom(int seed, long index, ulong stream = 0) =>
        _state = Mix(Mix(((ulong)(uint)seed << 32) ^ 0x5851_F42D_4C95_7F2DUL) ^ (ulong)index ^ Mix(stream + 0x2545_F491_4F6C_DD1DUL));

    /// <summary>The SplitMix64 finalizer: a bijective 64-bit mix.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextUInt64()
    {
        _state += 0x9E37_79B9_7F4A_7C15UL;
        return Mix(_state);
    }

    /// <summary>A value in [0, n).</summary>
    public int Next(int n) => (int)((NextUInt64() >> 32) * (ulong)(uint)n >> 32);

    /// <summary>A value in [min, max).</summary>
    public int Next(int min, int max) => min + Next(max - min);

    /// <summary>True once in <paramref name="n"/> draws on average.</summary>
    public bool OneIn(int n) => Next(n) == 0;

    public T Pick<T>(T[] values) => values[Next(values.Length)];

    public void Fill(Span<byte> bytes)
    {
        while (bytes.Length >= 8)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(bytes, NextUInt64());
            bytes = bytes[8..];
        }
        if (bytes.Length > 0)
        {
            ulong v = NextUInt64();
            for (int i = 0; i < bytes.Length; i++, v >>= 8)
                bytes[i] = (byte)v;
        }
    }

    /// <summary><paramref name="length"/> (at most 64) characters from <paramref name="alphabet"/>.</summary>
    public string Chars(int length, string alphabet)
    {
        Span<char> span = stackalloc char[length];
        for (int i = 0; i < span.Length; i++)
            span[i] = alphabet[Next(alphabet.Length)];
        return new string(span);
    }

    /// <summary>Lowercase hex of <paramref name="bytes"/> random bytes.</summary>
    public string Hex(int bytes)
    {
        Span<byte> buffer = stackalloc byte[bytes];
        Fill(buffer);
        return Convert.ToHexStringLower(buffer);
    }

    /// <summary>A version-4 UUID string.</summary>
    public string Uuid()
    {
        Span<byte> b = stackalloc byte[16];
        Fill(b);
        b[6] = (byte)((b[6] & 0x0F) | 0x40);
        b[8] = (byte)((b[8] & 0x3F) | 0x80);
        Span<char> text = stackalloc char[36];
        Convert.TryToHexStringLower(b[..4], text[..8], out _);
        text[8] = '-';
        Convert.TryToHexStringLower(b[4..6], text[9..13], out _);
        text[13] = '-';
        Convert.TryToHexStringLower(b[6..8], text[14..18], out _);
        text[18] = '-';
        Convert.TryToHexStringLower(b[8..10], text[19..23], out _);
        text[23] = '-';
        Convert.TryToHexStringLower(b[10..], text[24..], out _);
        return new string(text);
    }
}
