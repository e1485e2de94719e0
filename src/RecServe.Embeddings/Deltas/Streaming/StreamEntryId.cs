using System.Globalization;

namespace RecServe.Embeddings.Deltas.Streaming;

/// <summary>
/// A Redis stream entry id, <c>&lt;milliseconds&gt;-&lt;sequence&gt;</c>. Ids grow with every entry added, so they order
/// a stream and say where a reader stopped; <see cref="Zero"/> reads a stream from its start.
/// </summary>
/// <param name="Milliseconds">The time part.</param>
/// <param name="Sequence">The sequence within that millisecond.</param>
public readonly record struct StreamEntryId(ulong Milliseconds, ulong Sequence) : IComparable<StreamEntryId>
{
    /// <summary><c>0-0</c>: before every entry.</summary>
    public static readonly StreamEntryId Zero = new(0, 0);

    /// <summary>Parses <c>ms-seq</c> (or <c>ms</c> alone, sequence 0).</summary>
    public static bool TryParse(string? text, out StreamEntryId id)
    {
        id = Zero;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        var msText = dash < 0 ? text : text[..dash];
        var seqText = dash < 0 ? "0" : text[(dash + 1)..];
        if (!ulong.TryParse(msText, NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            || !ulong.TryParse(seqText, NumberStyles.None, CultureInfo.InvariantCulture, out var seq))
        {
            return false;
        }
        id = new StreamEntryId(ms, seq);
        return true;
    }

    /// <summary>Parses <c>ms-seq</c>.</summary>
    /// <exception cref="FormatException">The text is not a stream entry id.</exception>
    public static StreamEntryId Parse(string text) =>
        TryParse(text, out var id) ? id : throw new FormatException($"'{text}' is not a stream entry id (ms-seq)");

    /// <summary>The greatest id before this one: reading after it returns this entry again.</summary>
    public StreamEntryId Previous() => this == Zero ? Zero
        : Sequence > 0 ? new StreamEntryId(Milliseconds, Sequence - 1)
        : new StreamEntryId(Milliseconds - 1, ulong.MaxValue);

    /// <inheritdoc />
    public int CompareTo(StreamEntryId other)
    {
        var ms = Milliseconds.CompareTo(other.Milliseconds);
        return ms != 0 ? ms : Sequence.CompareTo(other.Sequence);
    }

    /// <summary>Whether <paramref name="left"/> comes before <paramref name="right"/>.</summary>
    public static bool operator <(StreamEntryId left, StreamEntryId right) => left.CompareTo(right) < 0;

    /// <summary>Whether <paramref name="left"/> comes after <paramref name="right"/>.</summary>
    public static bool operator >(StreamEntryId left, StreamEntryId right) => left.CompareTo(right) > 0;

    /// <summary>Whether <paramref name="left"/> comes before or is <paramref name="right"/>.</summary>
    public static bool operator <=(StreamEntryId left, StreamEntryId right) => left.CompareTo(right) <= 0;

    /// <summary>Whether <paramref name="left"/> comes after or is <paramref name="right"/>.</summary>
    public static bool operator >=(StreamEntryId left, StreamEntryId right) => left.CompareTo(right) >= 0;

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Milliseconds}-{Sequence}");
}
