using System.Globalization;
using System.Text;
using k8s.Models;

namespace StreamList.Sharding;

/// <summary>
/// A KEP-5866 shard selector: one field (<see cref="ShardField"/>) and the hash ranges of it this
/// client takes, rendered to the exact <c>shardSelector</c> text the apiserver parses, e.g.
/// <c>shardRange(object.metadata.uid, '0x0000000000000000', '0x8000000000000000')</c>, several
/// ranges joined with <c> || </c>. An object matches when the 64-bit FNV-1a hash
/// (<see cref="ShardHash"/>) of its field falls in one of the ranges.
///
/// Contract: immutable; every instance is valid (at least one range, each non-empty, one field),
/// so invalid input fails here, as an <see cref="ArgumentException"/>, before any request is sent.
/// Two selectors are equal when their text is.
/// </summary>
public sealed class ShardSelector : IEquatable<ShardSelector>
{
    private const string Function = "shardRange";
    private const string UidPath = "object.metadata.uid";
    private const string NamespacePath = "object.metadata.namespace";

    private readonly ShardRange[] _ranges;
    private readonly string _text;

    private ShardSelector(ShardField field, ShardRange[] ranges)
    {
        Field = field;
        _ranges = ranges;
        _text = Render(field, ranges);
    }

    /// <summary>The hashed field.</summary>
    public ShardField Field { get; }

    /// <summary>The ranges taken, in the order given.</summary>
    public IReadOnlyList<ShardRange> Ranges => _ranges;

    /// <summary>The fraction of the hash space this selector covers (overlaps counted once).</summary>
    public double Fraction
    {
        get
        {
            UInt128 covered = 0, end = 0;
            foreach (var r in _ranges.OrderBy(r => r.Start))
            {
                UInt128 start = r.Start > end ? r.Start : end;
                if (r.End > start)
                    covered += r.End - start;
                if (r.End > end)
                    end = r.End;
            }
            return (double)covered / (double)ShardRange.SpaceEnd;
        }
    }

    /// <summary>Range <paramref name="index"/> of <paramref name="count"/> equal ranges over <paramref name="field"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> &lt; 1 or <paramref name="index"/> not in [0, count).</exception>
    public static ShardSelector Of(int index, int count, ShardField field = ShardField.Uid) =>
        new(CheckField(field), [ShardRange.Of(index, count)]);

    /// <summary>A selector taking <paramref name="ranges"/> of <paramref name="field"/>.</summary>
    /// <exception cref="ArgumentException">No range.</exception>
    public static ShardSelector ForRanges(ShardField field, IEnumerable<ShardRange> ranges)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        var array = ranges.ToArray();
        if (array.Length == 0)
            throw new ArgumentException("a shard selector needs at least one range", nameof(ranges));
        if (array.Any(r => r.End == 0))
            throw new ArgumentException("a shard range must be made with its constructor (default(ShardRange) is empty)", nameof(ranges));
        return new(CheckField(field), array);
    }

    /// <summary>Parses selector text as the apiserver accepts it.</summary>
    /// <exception cref="ArgumentException">The text is not a valid shard selector; the message says where.</exception>
    public static ShardSelector Parse(string text) =>
        TryParse(text, out var selector, out string error) ? selector! : throw new ArgumentException($"invalid shard selector: {error}", nameof(text));

    /// <summary>Parses selector text; false with a reason when it is not a valid shard selector.</summary>
    public static bool TryParse(string? text, out ShardSelector? selector, out string error)
    {
        selector = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "the selector is empty";
            return false;
        }
        var ranges = new List<ShardRange>();
        ShardField? field = null;
        foreach (string term in text.Split("||"))
        {
            if (!TryParseTerm(term.Trim(), out var termField, out var range, out error))
                return false;
            if (field is { } f && f != termField)
            {
                error = $"\"{term.Trim()}\" hashes another field than the first range: one selector shards by one field";
                return false;
            }
            field = termField;
            ranges.Add(range);
        }
        selector = new ShardSelector(field!.Value, [.. ranges]);
        error = "";
        return true;
    }

    /// <summary>True when the object (by its metadata) is in this shard.</summary>
    public bool Matches(V1ObjectMeta? metadata) => Matches(metadata?.Uid, metadata?.NamespaceProperty);

    /// <summary>True when an object with this uid and namespace is in this shard.</summary>
    public bool Matches(string? uid, string? @namespace) =>
        Contains(ShardHash.Of(Field == ShardField.Uid ? uid : @namespace));

    /// <summary>
    /// True when every hash this selector matches is matched by <paramref name="other"/> too (null:
    /// the whole collection): narrowing to it needs no new objects from the server.
    /// </summary>
    public bool IsWithin(ShardSelector? other)
    {
        if (other is null)
            return true;
        if (other.Field != Field)
            return false;
        var outer = other._ranges.OrderBy(r => r.Start).ToArray();
        foreach (var r in _ranges)
        {
            UInt128 covered = r.Start; // [r.Start, covered) is inside other
            foreach (var o in outer)
            {
                if (o.Start <= covered && o.End > covered)
                    covered = o.End;
            }
            if (covered < r.End)
                return false;
        }
        return true;
    }

    /// <summary>True when <paramref name="hash"/> is in one of the ranges.</summary>
    public bool Contains(ulong hash)
    {
        foreach (var r in _ranges)
        {
            if (r.Contains(hash))
                return true;
        }
        return false;
    }

    /// <summary>The selector text, exactly as sent in <c>shardSelector</c>.</summary>
    public override string ToString() => _text;

    /// <inheritdoc/>
    public bool Equals(ShardSelector? other) => other is not null && other._text == _text;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as ShardSelector);

    /// <inheritdoc/>
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(_text);

    private static ShardField CheckField(ShardField field) =>
        Enum.IsDefined(field) ? field : throw new ArgumentOutOfRangeException(nameof(field), field, "not a shard field");

    private static string Path(ShardField field) => field == ShardField.Uid ? UidPath : NamespacePath;

    private static string Render(ShardField field, ShardRange[] ranges)
    {
        var text = new StringBuilder();
        foreach (var r in ranges)
        {
            if (text.Length > 0)
                text.Append(" || ");
            text.Append(Function).Append('(').Append(Path(field))
                .Append(", '").Append(ShardRange.Hex(r.Start)).Append("', '").Append(ShardRange.Hex(r.End)).Append("')");
        }
        return text.ToString();
    }

    // shardRange(<path>, '<hex>', '<hex>'), whitespace allowed between tokens.
    private static bool TryParseTerm(string term, out ShardField field, out ShardRange range, out string error)
    {
        field = default;
        range = default;
        if (!term.StartsWith(Function, StringComparison.Ordinal) || !term.EndsWith(')'))
            return Fail($"\"{term}\" is not shardRange(<field>, '<start>', '<end>')", out error);
        string inner = term[Function.Length..].TrimStart();
        if (!inner.StartsWith('('))
            return Fail($"\"{term}\" is not shardRange(<field>, '<start>', '<end>')", out error);
        string[] args = inner[1..^1].Split(',');
        if (args.Length != 3)
            return Fail($"\"{term}\": shardRange takes 3 arguments, not {args.Length}", out error);
        switch (args[0].Trim())
        {
            case UidPath: field = ShardField.Uid; break;
            case NamespacePath: field = ShardField.Namespace; break;
            default: return Fail($"\"{args[0].Trim()}\" is not a supported field ({UidPath} or {NamespacePath})", out error);
        }
        if (!TryParseBound(args[1].Trim(), out var start, out error) || !TryParseBound(args[2].Trim(), out var end, out error))
            return false;
        if (end > ShardRange.SpaceEnd)
            return Fail($"\"{args[2].Trim()}\" is past the end of the hash space ({ShardRange.Hex(ShardRange.SpaceEnd)})", out error);
        if (start >= end)
            return Fail($"\"{term}\" is an empty or inverted range (start must be below end)", out error);
        range = new ShardRange(start, end);
        error = "";
        return true;
    }

    // '0x' followed by 1 to 17 hex digits, in single quotes.
    private static bool TryParseBound(string literal, out UInt128 value, out string error)
    {
        value = 0;
        if (literal.Length < 5 || literal[0] != '\'' || literal[^1] != '\'' || !literal.AsSpan(1).StartsWith("0x", StringComparison.Ordinal))
            return Fail($"{literal} is not a quoted 0x-prefixed hex bound such as '0x8000000000000000'", out error);
        var digits = literal.AsSpan(3, literal.Length - 4);
        if (digits.Length > 17 || !UInt128.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value))
            return Fail($"{literal} is not a hex number of at most 17 digits", out error);
        error = "";
        return true;
    }

    private static bool Fail(string message, out string error)
    {
        error = message;
        return false;
    }
}
