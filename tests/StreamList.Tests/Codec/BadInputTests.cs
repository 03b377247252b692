using System.Buffers;
using Google.Protobuf.Reflection;
using k8s.Models;
using StreamList.Tests.Support;
using StreamList.Wire;
using StreamList.Codec;

namespace StreamList.Tests.Codec;

/// <summary>
/// The codec on bad and unusual input, all through the public <see cref="KubernetesProtobuf.Decode(ReadOnlySpan{byte}, DecodeOptions?)"/>
/// and its <see cref="ReadOnlySequence{T}"/> overload: every failure is a <see cref="KubernetesWireException"/>
/// that names what, where (offset) and which field; everything protobuf allows (any field order,
/// unknown fields, repeated singular fields, packed or unpacked scalars) decodes as the original.
///
/// Truncation rule: the apiserver always writes all four envelope fields (typeMeta, raw,
/// contentEncoding, contentType; the last two empty), so a body cut anywhere, even between the
/// envelope's trailing fields, is <see cref="WireErrorKind.Truncated"/>: never a silent success.
/// </summary>
public class BadInputTests
{
    public static TheoryData<string> Names => Fixtures.All();

    private static object Decode(byte[] data, DecodeOptions? options = null) => KubernetesProtobuf.Decode(data.AsSpan(), options);

    private static byte[] Encode(object value) => KubernetesProtobuf.Encode(value);

    /// <summary>What a decode gives: the object re-encoded (canonical), or the error's kind, offset and path.</summary>
    private static string Outcome(Func<object> decode)
    {
        try
        {
            return "ok " + Convert.ToHexString(Encode(decode()));
        }
        catch (KubernetesWireException e)
        {
            return $"{e.Kind} at {e.Offset} in '{e.FieldPath}'";
        }
    }

    private static KubernetesWireException Fails(byte[] data, DecodeOptions? options = null)
    {
        var e = Assert.Throws<KubernetesWireException>(() => Decode(data, options));
        // The sequence overload must fail the same way, wherever the data is split.
        var seq = Assert.Throws<KubernetesWireException>(() => KubernetesProtobuf.Decode(Sequences.Split(data, data.Length / 3, 2 * data.Length / 3), options));
        Assert.Equal((e.Kind, e.Offset, e.FieldPath), (seq.Kind, seq.Offset, seq.FieldPath));
        return e;
    }

    private static void AssertError(KubernetesWireException e, WireErrorKind kind, long offset, string path)
    {
        Assert.True((kind, offset, path) == (e.Kind, e.Offset, e.FieldPath),
            $"expected {kind} at {offset} in '{path}', got {e.Kind} at {e.Offset} in '{e.FieldPath}': {e.Message}");
    }

    private static void AssertSameObject(object expected, object actual, string context)
    {
        var a = Encode(expected);
        var b = Encode(actual);
        if (!a.AsSpan().SequenceEqual(b))
            Assert.Fail($"{context}: decoded object differs\n expected {KubernetesJsonUtil.Serialize(expected)}\n actual   {KubernetesJsonUtil.Serialize(actual)}");
    }

    /// <summary>The fixture decoded the ordinary way (by its type, as its envelope may have an empty kind).</summary>
    private static object Reference(string name) => KubernetesProtobuf.Decode(Fixtures.Protobuf(name), Schemas.FixtureType(name));

    /// <summary>Decodes <paramref name="raw"/> wrapped in the fixture's envelope, as the fixture's type.</summary>
    private static object DecodeBody(string name, byte[] raw) =>
        KubernetesProtobuf.Decode(ProtoBytes.Rewrap(Fixtures.Protobuf(name), raw), Schemas.FixtureType(name));

    private static readonly string[] s_envelopeFields = ["", "typeMeta", "raw", "contentEncoding", "contentType"];

    // ---- truncation and splitting ----------------------------------------------------------

    [Theory]
    [MemberData(nameof(Names))]
    public void Truncation_at_every_length_is_Truncated_naming_the_envelope_field(string name)
    {
        var pb = Fixtures.Protobuf(name);
        var top = WireMessage.Parse(pb.AsSpan(4)).Select(f => f with { Start = f.Start + 4, End = f.End + 4 }).ToList();
        Assert.Equal([1, 2, 3, 4], top.Select(f => f.Number));
        for (int length = 0; length < pb.Length; length++)
        {
            var cut = pb[..length];
            // Where the cut falls: in the magic, inside envelope field f, or exactly before field f
            // (then the first field still missing is named: raw, contentEncoding or contentType).
            string path;
            long minOffset;
            if (length < 4)
            {
                (path, minOffset) = ("", length);
            }
            else if (top.FirstOrDefault(f => f.Start < length && length < f.End) is { } inside)
            {
                (path, minOffset) = (s_envelopeFields[inside.Number], inside.Start + 1);
            }
            else
            {
                int next = top.First(f => f.Start == length).Number;
                (path, minOffset) = (s_envelopeFields[Math.Max(2, next)], length);
            }
            KubernetesWireException e;
            try
            {
                e = Fails(cut);
            }
            catch (Exception x) when (x is not KubernetesWireException)
            {
                throw new InvalidOperationException($"{name} cut to {length} bytes: {x.Message}", x);
            }
            Assert.True(e.Kind == WireErrorKind.Truncated && e.FieldPath == path && e.Offset >= minOffset && e.Offset <= length,
                $"{name} cut to {length} bytes: expected Truncated in '{path}' at [{minOffset}, {length}], got {e.Kind} at {e.Offset} in '{e.FieldPath}': {e.Message}");
        }
    }

    /// <summary>
    /// The split (and body cut) points tried: every byte boundary of fixtures up to 4 KiB; of the seven large ones
    /// (Pod and the six workloads around a PodSpec, 12–13 KiB each, where one Debug-build decode and
    /// re-encode costs a quarter of a millisecond) every boundary of the first KiB (envelope,
    /// metadata) and the last 256 bytes (status, envelope trailer) and every 7th in between, starting
    /// at a different residue per fixture. Every boundary of every fixture is still crossed at once
    /// by the 1-byte-segment decode.
    /// </summary>
    private static IEnumerable<int> SplitPoints(string name, int length)
    {
        int phase = name.Length % 7;
        for (int cut = 0; cut <= length; cut++)
        {
            if (length <= 4096 || cut < 1024 || cut > length - 256 || cut % 7 == phase)
                yield return cut;
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Split_anywhere_decodes_as_the_span(string name)
    {
        var pb = Fixtures.Protobuf(name);
        string expected = Outcome(() => Decode(pb));
        // Compared through one reused writer: the same object re-encodes to the same bytes.
        var w = new ProtoWriter(pb.Length * 2);
        byte[]? expectedBytes = null;
        if (expected.StartsWith("ok", StringComparison.Ordinal))
        {
            KubernetesProtobuf.Write(w, Decode(pb));
            expectedBytes = w.ToArray();
        }
        foreach (int cut in SplitPoints(name, pb.Length))
        {
            var sequence = Sequences.Split(pb, cut);
            if (expectedBytes is null)
            {
                // A fixture the untyped overloads cannot decode (its envelope names no kind): the same error.
                Assert.Equal(expected, Outcome(() => KubernetesProtobuf.Decode(sequence)));
                continue;
            }
            w.Reset();
            KubernetesProtobuf.Write(w, KubernetesProtobuf.Decode(sequence));
            if (!w.WrittenSpan.SequenceEqual(expectedBytes))
                Assert.Fail($"{name} split at {cut}: decodes differently from the span");
        }
        foreach (int size in new[] { 1, 2, 3, 7, 64 })
            Assert.Equal(expected, Outcome(() => KubernetesProtobuf.Decode(Sequences.Chunks(pb, size))));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Body_cut_inside_a_field_is_Truncated_and_cut_between_fields_decodes(string name)
    {
        var pb = Fixtures.Protobuf(name);
        var (_, _, raw, _) = ProtoBytes.Open(pb);
        var descriptor = Schemas.GoogleFor(Schemas.FixtureType(name));
        var fields = WireMessage.Parse(raw);
        var boundaries = fields.Select(f => f.Start).Append(raw.Length).ToHashSet();
        foreach (int length in SplitPoints(name, raw.Length - 1).Union(boundaries.Where(b => b < raw.Length)))
        {
            var envelope = ProtoBytes.Rewrap(pb, raw.AsSpan(0, length));
            int rawStart = ProtoBytes.Open(envelope).RawOffset;
            try
            {
                var obj = KubernetesProtobuf.Decode(envelope, Schemas.FixtureType(name));
                Assert.True(boundaries.Contains(length), $"{name}: body cut to {length} bytes inside a field decoded");
            }
            catch (KubernetesWireException e)
            {
                Assert.False(boundaries.Contains(length), $"{name}: body cut to {length} bytes between fields failed: {e.Message}");
                var field = fields.Single(f => f.Start < length && length < f.End);
                bool inTag = length - field.Start < ProtoBytes.Tag(field.Number, field.WireType).Length;
                string path = inTag ? "" : descriptor.FindFieldByNumber(field.Number)?.Name ?? "";
                Assert.True(e.Kind == WireErrorKind.Truncated && e.FieldPath == path && e.Offset > rawStart + field.Start && e.Offset <= rawStart + length,
                    $"{name}: body cut to {length}: expected Truncated in '{path}' at ({rawStart + field.Start}, {rawStart + length}], got {e.Kind} at {e.Offset} in '{e.FieldPath}'");
            }
        }
    }

    // ---- malformed varints, tags and lengths ------------------------------------------------

    private static readonly byte[] s_elevenByteVarint = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01];
    private static readonly byte[] s_overflowingVarint = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02];

    private static (byte[] Data, int RawStart) Pod(params byte[][] body)
    {
        var data = ProtoBytes.Envelope("v1", "Pod", ProtoBytes.Concat(body));
        return (data, ProtoBytes.Open(data).RawOffset);
    }

    [Fact]
    public void Varint_longer_than_ten_bytes_is_malformed()
    {
        // An unknown varint field, a known one (spec.terminationGracePeriodSeconds) and a tag.
        var (data, at) = Pod(ProtoBytes.Tag(900, ProtoBytes.Varint), s_elevenByteVarint);
        AssertError(Fails(data), WireErrorKind.MalformedVarint, at + 2 + 10, "");

        var spec = ProtoBytes.Concat(ProtoBytes.Tag(4, ProtoBytes.Varint), s_elevenByteVarint);
        (data, at) = Pod(ProtoBytes.LenField(2, spec));
        AssertError(Fails(data), WireErrorKind.MalformedVarint, at + 2 + 1 + 10, "spec.terminationGracePeriodSeconds");

        (data, at) = Pod(s_elevenByteVarint);
        AssertError(Fails(data), WireErrorKind.MalformedVarint, at + 10, "");
    }

    [Fact]
    public void Varint_overflowing_64_bits_is_malformed()
    {
        var (data, at) = Pod(ProtoBytes.Tag(900, ProtoBytes.Varint), s_overflowingVarint);
        AssertError(Fails(data), WireErrorKind.MalformedVarint, at + 2 + 10, "");

        // As a length: the same error, before any length check.
        (data, at) = Pod(ProtoBytes.Tag(1, ProtoBytes.Len), s_overflowingVarint);
        AssertError(Fails(data), WireErrorKind.MalformedVarint, at + 1 + 10, "metadata");

        // The largest 64-bit varint is well-formed; as a skipped unknown varint it decodes.
        (data, _) = Pod(ProtoBytes.VarintField(900, ulong.MaxValue));
        Assert.IsType<V1Pod>(Decode(data));
    }

    [Fact]
    public void Tag_beyond_32_bits_or_field_number_zero_is_invalid()
    {
        var (data, at) = Pod([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]);
        AssertError(Fails(data), WireErrorKind.InvalidTag, at + 6, "");

        (data, at) = Pod(ProtoBytes.VarintField(0, 1));
        AssertError(Fails(data), WireErrorKind.InvalidTag, at + 1, "");

        (data, at) = Pod(ProtoBytes.LenField(1, ProtoBytes.VarintField(0, 1)));
        AssertError(Fails(data), WireErrorKind.InvalidTag, at + 3, "metadata");

        // Wire types 6 and 7 do not exist: on an unknown field, and on a known one.
        (data, at) = Pod(ProtoBytes.Tag(900, 6), [0]);
        AssertError(Fails(data), WireErrorKind.InvalidTag, at + 2, "");
        (data, at) = Pod(ProtoBytes.Tag(1, 7), [0]);
        AssertError(Fails(data), WireErrorKind.WrongWireType, at + 1, "metadata");
    }

    [Fact]
    public void Length_past_the_end_is_Truncated_at_top_level_and_LengthOutOfRange_inside_a_message()
    {
        // metadata claims 50 bytes, 3 follow: the input is cut short.
        var (data, at) = Pod(ProtoBytes.Tag(1, ProtoBytes.Len), [50], ProtoBytes.StringField(1, "a"));
        AssertError(Fails(data), WireErrorKind.Truncated, at + 2, "metadata");

        // metadata.name claims 40 bytes inside a 4-byte metadata: malformed, not cut short.
        (data, at) = Pod(ProtoBytes.LenField(1, [0x0a, 40, (byte)'a', (byte)'b']), ProtoBytes.StringField(3, "more bytes after metadata, past 40"));
        AssertError(Fails(data), WireErrorKind.LengthOutOfRange, at + 2 + 2, "metadata.name");

        // The envelope's raw claims more than there is.
        data = [.. ProtoBytes.Magic, .. ProtoBytes.LenField(1, []), .. ProtoBytes.Tag(2, ProtoBytes.Len), 100, 1, 2, 3];
        AssertError(Fails(data), WireErrorKind.Truncated, 4 + 2 + 2, "raw");
    }

    [Fact]
    public void Huge_declared_length_fails_without_allocating_it()
    {
        byte[] twoGiB = ProtoBytes.VarintBytes(1UL << 31);
        byte[] maxLength = ProtoBytes.VarintBytes(long.MaxValue);
        var cases = new (byte[] Data, WireErrorKind Kind, string Path, DecodeOptions? Options)[]
        {
            ([.. ProtoBytes.Magic, .. ProtoBytes.LenField(1, []), .. ProtoBytes.Tag(2, ProtoBytes.Len), .. twoGiB, 1, 2, 3], WireErrorKind.Truncated, "raw", null),
            ([.. ProtoBytes.Magic, .. ProtoBytes.LenField(1, []), .. ProtoBytes.Tag(2, ProtoBytes.Len), .. maxLength, 1, 2, 3], WireErrorKind.Truncated, "raw", null),
            (Pod(ProtoBytes.Tag(1, ProtoBytes.Len), twoGiB, [1, 2]).Data, WireErrorKind.Truncated, "metadata", null),
            (Pod(ProtoBytes.LenField(1, [0x0a, .. twoGiB, 1, 2])).Data, WireErrorKind.LengthOutOfRange, "metadata.name", null),
            (Pod(ProtoBytes.Tag(900, ProtoBytes.Len), maxLength, [1]).Data, WireErrorKind.Truncated, "", null),
            // Within the input but over the configured limit: refused before the body is read or copied.
            (Fixtures.Protobuf("core.v1.Pod"), WireErrorKind.MessageTooLarge, "raw", new DecodeOptions { MaxMessageBytes = 1000 }),
        };
        foreach (var (data, kind, path, options) in cases)
        {
            var sequence = Sequences.Split(data, data.Length / 2);
            _ = Record.Exception(() => Decode(data, options));
            _ = Record.Exception(() => KubernetesProtobuf.Decode(sequence, options));

            long before = GC.GetAllocatedBytesForCurrentThread();
            var e = Record.Exception(() => Decode(data, options));
            long spanBytes = GC.GetAllocatedBytesForCurrentThread() - before;
            before = GC.GetAllocatedBytesForCurrentThread();
            var s = Record.Exception(() => KubernetesProtobuf.Decode(sequence, options));
            long sequenceBytes = GC.GetAllocatedBytesForCurrentThread() - before;

            var wire = Assert.IsType<KubernetesWireException>(e);
            Assert.True(wire.Kind == kind && wire.FieldPath == path, $"expected {kind} in '{path}': {wire.Message}");
            Assert.IsType<KubernetesWireException>(s);
            Assert.True(spanBytes < 32 * 1024, $"{wire.Message}: allocated {spanBytes} bytes");
            Assert.True(sequenceBytes < 32 * 1024 + data.Length * 2, $"{wire.Message}: the sequence overload allocated {sequenceBytes} bytes");
        }

        // The sequence overload refuses an over-limit input before copying it into one buffer.
        var pod = Fixtures.Protobuf("core.v1.Pod");
        var chunks = Sequences.Chunks(pod, 100);
        var small = new DecodeOptions { MaxMessageBytes = 1000 };
        _ = Record.Exception(() => KubernetesProtobuf.Decode(chunks, small));
        long start = GC.GetAllocatedBytesForCurrentThread();
        var tooLarge = Assert.Throws<KubernetesWireException>(() => KubernetesProtobuf.Decode(chunks, small));
        Assert.Equal(WireErrorKind.MessageTooLarge, tooLarge.Kind);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - start < 8 * 1024);
    }

    // ---- wrong wire types ----------------------------------------------------------------

    [Fact]
    public void Known_field_with_the_wrong_wire_type_is_rejected_with_its_path()
    {
        var (data, at) = Pod(ProtoBytes.VarintField(1, 1));
        AssertError(Fails(data), WireErrorKind.WrongWireType, at + 1, "metadata");

        (data, at) = Pod(ProtoBytes.LenField(1, ProtoBytes.Fixed32Field(1, 7)));
        AssertError(Fails(data), WireErrorKind.WrongWireType, at + 3, "metadata.name");

        (data, at) = Pod(ProtoBytes.Group(1));
        AssertError(Fails(data), WireErrorKind.WrongWireType, at + 1, "metadata");

        // spec.securityContext.supplementalGroups: varint or packed, never fixed32.
        (data, at) = Pod(ProtoBytes.LenField(2, ProtoBytes.LenField(14, ProtoBytes.Fixed32Field(4, 1))));
        AssertError(Fails(data), WireErrorKind.WrongWireType, at + 2 + 2 + 1, "spec.securityContext.supplementalGroups");

        // A Time's seconds as a string.
        (data, at) = Pod(ProtoBytes.LenField(1, ProtoBytes.LenField(8, ProtoBytes.StringField(1, "1"))));
        AssertError(Fails(data), WireErrorKind.WrongWireType, at + 2 + 2 + 1, "metadata.creationTimestamp.seconds");

        // The envelope's raw as a varint.
        data = [.. ProtoBytes.Magic, .. ProtoBytes.LenField(1, []), .. ProtoBytes.VarintField(2, 5)];
        AssertError(Fails(data), WireErrorKind.WrongWireType, 4 + 2 + 1, "raw");
    }

    // ---- depth -------------------------------------------------------------------------

    [Fact]
    public void Nesting_deeper_than_MaxDepth_is_TooDeep_on_a_real_pod()
    {
        var pb = Fixtures.Protobuf("core.v1.Pod");
        Assert.IsType<V1Pod>(Decode(pb));
        var e = Fails(pb, new DecodeOptions { MaxDepth = 3 });
        Assert.Equal(WireErrorKind.TooDeep, e.Kind);
        // Pod → spec → volumes → (inline) volumeSource → hostPath is the first fourth level.
        Assert.Equal("spec.volumes.volumeSource.hostPath", e.FieldPath);
        Assert.InRange(e.Offset, ProtoBytes.Open(pb).RawOffset, pb.Length);
    }

    /// <summary>A ControllerRevision whose data holds an enveloped ControllerRevision whose data holds… <paramref name="levels"/> deep.</summary>
    private static byte[] NestedRevisions(int levels)
    {
        byte[] current = ProtoBytes.Envelope("apps/v1", "ControllerRevision", ProtoBytes.VarintField(3, 1));
        for (int i = 0; i < levels; i++)
            current = ProtoBytes.Envelope("apps/v1", "ControllerRevision", ProtoBytes.Concat(ProtoBytes.LenField(2, ProtoBytes.LenField(1, current)), ProtoBytes.VarintField(3, (ulong)i)));
        return current;
    }

    [Fact]
    public void Objects_embedded_in_RawExtensions_share_the_depth_limit()
    {
        // RawExtension → enveloped object → RawExtension … is the one recursive path in the schema.
        var ok = Assert.IsType<V1ControllerRevision>(Decode(NestedRevisions(10)));
        Assert.IsType<V1ControllerRevision>(ok.Data);
        Assert.Equal(9, ok.Revision);

        Assert.IsType<V1ControllerRevision>(Decode(NestedRevisions(DecodeLimits.DefaultMaxDepth)));
        var e = Fails(NestedRevisions(DecodeLimits.DefaultMaxDepth + 1));
        Assert.Equal(WireErrorKind.TooDeep, e.Kind);
        Assert.StartsWith("data.raw.data.raw.", e.FieldPath, StringComparison.Ordinal);

        // Far deeper than the limit: fails at the limit, whatever the nesting below it.
        var deepInput = NestedRevisions(1000);
        var deep = Fails(deepInput);
        Assert.Equal(WireErrorKind.TooDeep, deep.Kind);
        Assert.InRange(deep.Offset, 0, deepInput.Length);

        var shallow = Fails(NestedRevisions(5), new DecodeOptions { MaxDepth = 4 });
        Assert.Equal(WireErrorKind.TooDeep, shallow.Kind);
    }

    [Fact]
    public void Groups_nested_deeper_than_the_limit_are_TooDeep()
    {
        byte[] group = [];
        for (int i = 0; i < 70; i++)
            group = ProtoBytes.Group(900 + i, group);
        var (data, at) = Pod(group);
        // Refused on reading the 65th start-group tag (two bytes each).
        AssertError(Fails(data), WireErrorKind.TooDeep, at + (2 * (DecodeLimits.DefaultMaxDepth + 1)), "");

        group = [];
        for (int i = 0; i < 60; i++)
            group = ProtoBytes.Group(900 + i, group);
        (data, _) = Pod(group);
        Assert.IsType<V1Pod>(Decode(data));
    }

    // ---- envelope --------------------------------------------------------------------------

    [Fact]
    public void Wrong_magic_is_BadMagic_at_offset_zero()
    {
        var pb = Fixtures.Protobuf("core.v1.Pod");
        foreach (var magic in new byte[][] { "k9s\0"u8.ToArray(), "K8s\0"u8.ToArray(), "k8s\u0001"u8.ToArray(), "{\"ap"u8.ToArray() })
            AssertError(Fails([.. magic, .. pb.AsSpan(4)]), WireErrorKind.BadMagic, 0, "");
        AssertError(Fails("k9"u8.ToArray()), WireErrorKind.BadMagic, 0, "");
        AssertError(Fails("k8"u8.ToArray()), WireErrorKind.Truncated, 2, "");
    }

    [Fact]
    public void Unknown_apiVersion_or_kind_is_UnknownKind()
    {
        var pod = ProtoBytes.Open(Fixtures.Protobuf("core.v1.Pod")).Raw;
        foreach (var (apiVersion, kind) in new[] { ("v1", "Frobnicator"), ("apps/v1", "Pod"), ("v2", "Pod"), ("", ""), ("v1", "pod") })
            AssertError(Fails(ProtoBytes.Envelope(apiVersion, kind, pod)), WireErrorKind.UnknownKind, 4, "typeMeta");

        var deployment = Fixtures.Protobuf("apps.v1.Deployment");
        var e = Assert.Throws<KubernetesWireException>(() => KubernetesProtobuf.Decode<V1Pod>(deployment));
        AssertError(e, WireErrorKind.UnexpectedKind, 4, "typeMeta");
    }

    [Fact]
    public void Unknown_envelope_fields_are_skipped()
    {
        var pb = Fixtures.Protobuf("core.v1.Pod");
        var (apiVersion, kind, raw, _) = ProtoBytes.Open(pb);
        byte[] data =
        [
            .. ProtoBytes.Magic, .. ProtoBytes.VarintField(9, 1),
            .. ProtoBytes.LenField(1, ProtoBytes.Concat(ProtoBytes.Fixed64Field(7, 1), ProtoBytes.StringField(1, apiVersion), ProtoBytes.Group(5, ProtoBytes.VarintField(1, 1)), ProtoBytes.StringField(2, kind))),
            .. ProtoBytes.Fixed32Field(10, 1), .. ProtoBytes.LenField(2, raw), .. ProtoBytes.StringField(3, ""), .. ProtoBytes.StringField(4, ""), .. ProtoBytes.StringField(11, "after"),
        ];
        AssertSameObject(Decode(pb), Decode(data), "unknown envelope fields");
    }

    // ---- groups ------------------------------------------------------------------------

    [Fact]
    public void Group_wire_types_start_skipped_stray_end_rejected()
    {
        var group = ProtoBytes.Group(900, ProtoBytes.VarintField(1, 1), ProtoBytes.StringField(2, "x"), ProtoBytes.Fixed64Field(3, 3), ProtoBytes.Group(4, ProtoBytes.Fixed32Field(5, 5)), ProtoBytes.Group(4));
        var (data, _) = Pod(group, ProtoBytes.LenField(1, ProtoBytes.Concat(group, ProtoBytes.StringField(1, "name"), group)), group);
        Assert.Equal("name", Assert.IsType<V1Pod>(Decode(data)).Metadata.Name);

        var (stray, at) = Pod(ProtoBytes.Tag(900, ProtoBytes.EndGroup));
        AssertError(Fails(stray), WireErrorKind.InvalidTag, at + 2, "");

        (stray, at) = Pod(ProtoBytes.LenField(1, ProtoBytes.Concat(ProtoBytes.StringField(1, "n"), ProtoBytes.Tag(900, ProtoBytes.EndGroup))));
        AssertError(Fails(stray), WireErrorKind.InvalidTag, at + 2 + 3 + 2, "metadata");

        var (mismatched, mat) = Pod(ProtoBytes.Tag(900, ProtoBytes.StartGroup), ProtoBytes.Tag(901, ProtoBytes.EndGroup));
        AssertError(Fails(mismatched), WireErrorKind.InvalidTag, mat + 4, "");

        var (open, oat) = Pod(ProtoBytes.Tag(900, ProtoBytes.StartGroup), ProtoBytes.VarintField(1, 1));
        AssertError(Fails(open), WireErrorKind.Truncated, oat + 4, "");

        // A group left open inside metadata runs into metadata's end: malformed rather than cut short.
        (open, oat) = Pod(ProtoBytes.LenField(1, ProtoBytes.Concat(ProtoBytes.Tag(900, ProtoBytes.StartGroup), ProtoBytes.VarintField(1, 1))), ProtoBytes.LenField(2, []));
        AssertError(Fails(open), WireErrorKind.LengthOutOfRange, oat + 2 + 4, "metadata");
    }

    [Fact]
    public void Errors_inside_a_group_do_not_name_an_earlier_message()
    {
        // After metadata (depth 1, named) the reader is back at depth 0; a group there must not
        // report "metadata" for an error inside it.
        var (data, _) = Pod(ProtoBytes.LenField(1, ProtoBytes.LenField(11, ProtoBytes.StringField(1, "k"))), ProtoBytes.Group(900, ProtoBytes.Tag(7, 6)));
        var e = Fails(data);
        Assert.Equal(WireErrorKind.InvalidTag, e.Kind);
        Assert.Equal("", e.FieldPath);
    }

    // ---- unknown fields, order, merging, packing -------------------------------------------

    /// <summary>One unknown field of every wire type, with field numbers no Kubernetes message uses.</summary>
    private static readonly byte[] s_unknowns = ProtoBytes.Concat(
        ProtoBytes.VarintField(9001, 300),
        ProtoBytes.Fixed64Field(9002, 0x0102030405060708),
        ProtoBytes.StringField(9003, "unknown"),
        ProtoBytes.Fixed32Field(9004, 7),
        ProtoBytes.Group(9005, ProtoBytes.VarintField(1, 1), ProtoBytes.StringField(2, "x"), ProtoBytes.Group(3, ProtoBytes.Fixed32Field(4, 5))),
        ProtoBytes.VarintField(536_870_911, ulong.MaxValue));

    /// <summary>
    /// Rewrites every message in <paramref name="message"/> (recursively, by the oracle's schema)
    /// through <paramref name="edit"/>, innermost first.
    /// </summary>
    private static byte[] EditEveryMessage(byte[] message, MessageDescriptor descriptor, Func<List<WireField>, List<WireField>> edit)
    {
        var fields = WireMessage.Parse(message);
        for (int i = 0; i < fields.Count; i++)
        {
            if (fields[i].WireType == ProtoBytes.Len && descriptor.FindFieldByNumber(fields[i].Number) is { FieldType: FieldType.Message } fd)
                fields[i] = fields[i] with { Payload = EditEveryMessage(fields[i].Payload, fd.MessageType, edit) };
        }
        return WireMessage.Encode(edit(fields));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Unknown_fields_of_every_wire_type_are_skipped_in_every_message(string name)
    {
        var (_, _, raw, _) = ProtoBytes.Open(Fixtures.Protobuf(name));
        var descriptor = Schemas.GoogleFor(Schemas.FixtureType(name));
        var unknown = WireMessage.Parse(s_unknowns);
        var reference = Reference(name);
        var rnd = new Random(name.Length);
        var placements = new (string Where, Func<List<WireField>, List<WireField>> Edit)[]
        {
            ("first", fs => [.. unknown, .. fs]),
            ("last", fs => [.. fs, .. unknown]),
            ("between fields", fs => [.. fs.SelectMany(f => new[] { f, unknown[rnd.Next(unknown.Count)] }).Prepend(unknown[0])]),
        };
        foreach (var (where, edit) in placements)
        {
            var mutated = EditEveryMessage(raw, descriptor, edit);
            Assert.True(mutated.Length > raw.Length);
            AssertSameObject(reference, DecodeBody(name, mutated), $"{name}, unknown fields {where} in every message");
        }
    }

    /// <summary>Shuffles fields randomly, keeping the order among fields of one number (a repeated field's order is its value).</summary>
    private static List<WireField> Shuffle(List<WireField> fields, Random rnd)
    {
        var keys = fields.Select(_ => rnd.NextDouble()).ToArray();
        foreach (var group in fields.Select((f, i) => (f.Number, i)).GroupBy(x => x.Number))
        {
            var indexes = group.Select(x => x.i).ToArray();
            var sorted = indexes.Select(i => keys[i]).Order().ToArray();
            for (int j = 0; j < indexes.Length; j++)
                keys[indexes[j]] = sorted[j];
        }
        return [.. fields.Select((f, i) => (f, k: keys[i])).OrderBy(x => x.k).Select(x => x.f)];
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Field_order_does_not_matter(string name)
    {
        var (_, _, raw, _) = ProtoBytes.Open(Fixtures.Protobuf(name));
        var descriptor = Schemas.GoogleFor(Schemas.FixtureType(name));
        var reference = Reference(name);
        for (int seed = 0; seed < 3; seed++)
        {
            var rnd = new Random(seed);
            var topOnly = WireMessage.Encode(Shuffle(WireMessage.Parse(raw), rnd));
            AssertSameObject(reference, DecodeBody(name, topOnly), $"{name}, top-level fields shuffled (seed {seed})");
            var everywhere = EditEveryMessage(raw, descriptor, fs => Shuffle(fs, rnd));
            AssertSameObject(reference, DecodeBody(name, everywhere), $"{name}, fields shuffled in every message (seed {seed})");
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Singular_message_field_sent_twice_merges(string name)
    {
        var (_, _, raw, _) = ProtoBytes.Open(Fixtures.Protobuf(name));
        var descriptor = Schemas.GoogleFor(Schemas.FixtureType(name));
        var reference = Reference(name);
        var fields = WireMessage.Parse(raw);
        // Each singular message field: its first half where it was, its second half appended at the end.
        // Not the hand-written special types: Go's Time.Unmarshal replaces rather than merges (and so
        // does this codec for Time, MicroTime, Quantity and IntOrString).
        foreach (var f in fields.Where(f => f.WireType == ProtoBytes.Len && descriptor.FindFieldByNumber(f.Number) is { FieldType: FieldType.Message, IsRepeated: false } fd
                     && !StreamList.CodeGen.Binder.Special.ContainsKey(fd.MessageType.FullName)))
        {
            var inner = WireMessage.Parse(f.Payload);
            if (inner.Count < 2)
                continue;
            var first = f with { Payload = WireMessage.Encode(inner.Take(inner.Count / 2)) };
            var second = f with { Payload = WireMessage.Encode(inner.Skip(inner.Count / 2)) };
            var split = fields.Select(x => ReferenceEquals(x, f) ? first : x).Append(second);
            AssertSameObject(reference, DecodeBody(name, WireMessage.Encode(split)), $"{name}: {f.Number} split in two");
        }
    }

    [Fact]
    public void Singular_scalar_sent_twice_last_wins_and_map_key_twice_last_wins()
    {
        var (data, _) = Pod(
            ProtoBytes.LenField(1, ProtoBytes.Concat(ProtoBytes.StringField(1, "first"), ProtoBytes.LenField(11, ProtoBytes.Concat(ProtoBytes.StringField(1, "k"), ProtoBytes.StringField(2, "v1"))))),
            ProtoBytes.LenField(2, ProtoBytes.VarintField(4, 10)),
            ProtoBytes.LenField(1, ProtoBytes.Concat(ProtoBytes.StringField(1, "second"), ProtoBytes.LenField(11, ProtoBytes.Concat(ProtoBytes.StringField(1, "k"), ProtoBytes.StringField(2, "v2"))))),
            ProtoBytes.LenField(2, ProtoBytes.VarintField(4, 20)));
        var pod = Assert.IsType<V1Pod>(Decode(data));
        Assert.Equal("second", pod.Metadata.Name);
        Assert.Equal("v2", Assert.Single(pod.Metadata.Labels).Value);
        Assert.Equal(20, pod.Spec.TerminationGracePeriodSeconds);
    }

    [Fact]
    public void Repeated_scalars_decode_alike_packed_unpacked_or_mixed()
    {
        long[] groups = [1, 0, 300, -1, long.MaxValue, long.MinValue];
        long?[] expected = [.. groups.Select(g => (long?)g)];
        byte[] Unpacked(IEnumerable<long> values) => ProtoBytes.Concat([.. values.Select(v => ProtoBytes.VarintField(4, (ulong)v))]);
        byte[] Packed(IEnumerable<long> values) => ProtoBytes.LenField(4, ProtoBytes.Concat([.. values.Select(v => ProtoBytes.VarintBytes((ulong)v))]));
        V1Pod PodWith(byte[] securityContext) => Assert.IsType<V1Pod>(Decode(Pod(ProtoBytes.LenField(2, ProtoBytes.LenField(14, securityContext))).Data));

        Assert.Equal(expected, PodWith(Unpacked(groups)).Spec.SecurityContext.SupplementalGroups);
        Assert.Equal(expected, PodWith(Packed(groups)).Spec.SecurityContext.SupplementalGroups);
        Assert.Equal(expected, PodWith(ProtoBytes.Concat(Packed(groups[..2]), Unpacked(groups[2..4]), Packed(groups[4..]))).Spec.SecurityContext.SupplementalGroups);
        Assert.Null(PodWith(Packed([])).Spec.SecurityContext.SupplementalGroups); // no element, no list: Go's decoder leaves the slice nil too

        // A packed run whose last varint is cut by the run's own length is malformed (not cut short).
        var (data, _) = Pod(ProtoBytes.LenField(2, ProtoBytes.LenField(14, ProtoBytes.LenField(4, [0x01, 0x80]))));
        var e = Fails(data);
        Assert.Equal(WireErrorKind.LengthOutOfRange, e.Kind);
        Assert.Equal("spec.securityContext.supplementalGroups", e.FieldPath);

        // The real pod, its supplementalGroups re-sent packed.
        var pb = Fixtures.Protobuf("core.v1.Pod");
        var raw = ProtoBytes.Open(pb).Raw;
        var packed = WireMessage.Rewrite(raw, [2, 14], fs =>
        {
            var values = fs.Where(f => f.Number == 4).SelectMany(f => f.Payload).ToArray();
            Assert.NotEmpty(values);
            return [.. fs.Where(f => f.Number != 4), new WireField(4, ProtoBytes.Len, values)];
        });
        AssertSameObject(Decode(pb), Decode(ProtoBytes.Rewrap(pb, packed)), "core.v1.Pod with packed supplementalGroups");
    }

    // ---- values the models cannot hold -----------------------------------------------------

    [Theory]
    [InlineData("1e99999")] // KubernetesClient computes 10^99999 exactly: minutes
    [InlineData("1e101")]
    [InlineData("-1e3")] // KubernetesClient's canonicalization never returns for negative exponent forms
    [InlineData("-5.5e-91")]
    [InlineData("7-e6")]
    [InlineData("1 ")]
    [InlineData("abc")]
    [InlineData("1Qi")]
    [InlineData(".")]
    [InlineData("+")]
    [InlineData("1e")]
    [InlineData("1e1.5")]
    public void Invalid_quantity_is_InvalidValue_quickly(string quantity)
    {
        // spec.overhead {quantity}
        var entry = ProtoBytes.Concat(ProtoBytes.StringField(1, "cpu"), ProtoBytes.LenField(2, ProtoBytes.StringField(1, quantity)));
        var (data, _) = Pod(ProtoBytes.LenField(2, ProtoBytes.LenField(32, entry)));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        // Reported where the quantity message ends: here, the end of the body (before the 4-byte envelope trailer).
        AssertError(Fails(data), WireErrorKind.InvalidValue, data.Length - 4, "spec.overhead.value");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("100m")]
    [InlineData("1e100")]
    [InlineData("-0e-3")]
    [InlineData("-1500m")]
    [InlineData("1.")]
    [InlineData(".5Gi")]
    [InlineData("")]
    public void Valid_quantity_decodes(string quantity)
    {
        var entry = ProtoBytes.Concat(ProtoBytes.StringField(1, "cpu"), ProtoBytes.LenField(2, ProtoBytes.StringField(1, quantity)));
        var pod = Assert.IsType<V1Pod>(Decode(Pod(ProtoBytes.LenField(2, ProtoBytes.LenField(32, entry))).Data));
        Assert.NotNull(pod.Spec.Overhead["cpu"]);
    }

    [Fact]
    public void Invalid_time_and_embedded_json_are_InvalidValue()
    {
        var (data, _) = Pod(ProtoBytes.LenField(1, ProtoBytes.LenField(8, ProtoBytes.VarintField(1, unchecked((ulong)long.MinValue)))));
        AssertError(Fails(data), WireErrorKind.InvalidValue, data.Length - 4, "metadata.creationTimestamp.seconds");

        (data, _) = Pod(ProtoBytes.LenField(1, ProtoBytes.LenField(8, ProtoBytes.Concat(ProtoBytes.VarintField(1, 1), ProtoBytes.VarintField(2, 2_000_000_000)))));
        AssertError(Fails(data), WireErrorKind.InvalidValue, data.Length - 4, "metadata.creationTimestamp.nanos");

        foreach (var json in new[] { "{", "{\"a\":1} x", "\xff\xfe", "[1,2", new string('[', 100) + new string(']', 100) })
        {
            byte[] bytes = [.. json.Select(c => (byte)c)];
            (data, _) = Pod(ProtoBytes.LenField(1, ProtoBytes.LenField(17, ProtoBytes.LenField(7, ProtoBytes.LenField(1, bytes)))));
            AssertError(Fails(data), WireErrorKind.InvalidValue, data.Length - 4, "metadata.managedFields.fieldsV1.raw");
        }
    }

    [Fact]
    public void Error_inside_an_embedded_object_names_the_outer_path_and_offset()
    {
        var inner = ProtoBytes.Envelope("v1", "Pod", ProtoBytes.LenField(1, ProtoBytes.VarintField(1, 5)));
        var eventBody = ProtoBytes.Concat(ProtoBytes.StringField(1, "ADDED"), ProtoBytes.LenField(2, ProtoBytes.LenField(1, inner)));
        var data = ProtoBytes.Envelope("v1", "WatchEvent", eventBody);
        var e = Assert.Throws<KubernetesWireException>(() => Decode(data));
        int innerStart = data.AsSpan().IndexOf(inner);
        int innerRaw = innerStart + ProtoBytes.Open(inner).RawOffset;
        AssertError(e, WireErrorKind.WrongWireType, innerRaw + 3, "object.raw.metadata.name");

        // The embedded object decodes when valid, with the same pool.
        var good = ProtoBytes.Envelope("v1", "WatchEvent", ProtoBytes.Concat(ProtoBytes.StringField(1, "ADDED"), ProtoBytes.LenField(2, ProtoBytes.LenField(1, Fixtures.Protobuf("core.v1.Pod")))));
        var evt = Assert.IsType<V1WatchEvent>(Decode(good));
        Assert.Equal("nameValue", Assert.IsType<V1Pod>(evt.ObjectProperty).Metadata.Name);
    }
}
