namespace RecServe.Embeddings.Deltas.Streaming;

/// <summary>
/// Puts published deltas back together from stream entries read in stream order. A publisher writes a delta's parts
/// in one transaction (MULTI/EXEC), so they are consecutive in the stream; a publication is complete when part n of n
/// arrived and every part, and the file they make, verify. Anything else refuses the publication whole: a corrupt
/// part, parts out of order or inconsistent, a set interrupted by another entry (a publisher that died, a stream
/// trimmed into a set), or an entry that is not a delta part. Nothing here touches any model.
/// </summary>
public sealed class DeltaStreamAssembler
{
    private readonly List<DeltaStreamPart> _open = [];
    private StreamEntryId _openFirst;
    private StreamEntryId _openLast;
    private string? _discarding;

    /// <summary>The first entry of the publication still being put together, or null when none is open.</summary>
    public StreamEntryId? OpenSince => _open.Count > 0 ? _openFirst : null;

    /// <summary>When the open publication was published, or null.</summary>
    public DateTimeOffset? OpenPublishedAt => _open.Count > 0 ? _open[0].PublishedAt : null;

    /// <summary>Feeds the next entry of the stream; adds to <paramref name="outcomes"/> each publication it completes or refuses.</summary>
    public void Add(DeltaStreamEntry entry, List<DeltaStreamOutcome> outcomes)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(outcomes);
        DeltaStreamPart part;
        string? problem;
        try
        {
            part = DeltaStreamPart.Decode(entry.Fields, out problem);
        }
        catch (DeltaStreamFormatException e)
        {
            RefuseOpen("another entry interrupted it", outcomes);
            _discarding = null;
            outcomes.Add(new DeltaStreamOutcome(0, entry.Id, entry.Id, DateTimeOffset.UnixEpoch, null, $"entry {entry.Id} is not a delta part: {e.Message}"));
            return;
        }
        if (part.Publication == _discarding)
        {
            return;
        }
        _discarding = null;
        if (_open.Count > 0 && part.Publication != _open[0].Publication)
        {
            RefuseOpen($"entry {entry.Id} of another publication (seq {part.Seq}) interrupted it", outcomes);
        }
        if (_open.Count == 0)
        {
            _openFirst = entry.Id;
        }
        var why = problem ?? Inconsistency(part);
        if (why is not null)
        {
            var seq = _open.Count > 0 ? _open[0].Seq : part.Seq;
            var published = _open.Count > 0 ? _open[0].PublishedAt : part.PublishedAt;
            outcomes.Add(new DeltaStreamOutcome(seq, _openFirst, entry.Id, published, null, $"delta seq {seq} refused whole: {why}"));
            _open.Clear();
            // The rest of this publication's parts would only repeat the refusal.
            _discarding = part.Part < part.Parts ? part.Publication : null;
            return;
        }
        _open.Add(part);
        _openLast = entry.Id;
        if (part.Part == part.Parts)
        {
            outcomes.Add(Complete(entry.Id));
        }
    }

    private string? Inconsistency(DeltaStreamPart part)
    {
        var expected = _open.Count + 1;
        if (part.Part != expected)
        {
            return expected == 1
                ? $"its first entry is part {part.Part} of {part.Parts}: parts 1 to {part.Part - 1} are missing (trimmed from the stream, or never written)"
                : $"part {part.Part} follows part {expected - 1}: parts are missing";
        }
        if (_open.Count == 0)
        {
            return part.Offset == 0 ? null : $"part 1 starts at byte {part.Offset}, not 0";
        }
        var first = _open[0];
        var previous = _open[^1];
        if (part.Seq != first.Seq || part.Parts != first.Parts || part.FileBytes != first.FileBytes || part.FileChecksum != first.FileChecksum)
        {
            return $"part {part.Part} says seq {part.Seq}, {part.Parts} parts, {part.FileBytes} bytes, where part 1 said seq {first.Seq}, {first.Parts} parts, {first.FileBytes} bytes";
        }
        return part.Offset == previous.Offset + previous.Data.Length ? null : $"part {part.Part} starts at byte {part.Offset}, the parts before end at {previous.Offset + previous.Data.Length}";
    }

    private DeltaStreamOutcome Complete(StreamEntryId last)
    {
        var first = _open[0];
        var parts = _open.ToArray();
        _open.Clear();
        long total = 0;
        foreach (var part in parts)
        {
            total += part.Data.Length;
        }
        if (total != first.FileBytes)
        {
            return new DeltaStreamOutcome(first.Seq, _openFirst, last, first.PublishedAt, null,
                $"delta seq {first.Seq} refused whole: its {parts.Length} parts hold {total} bytes, the file has {first.FileBytes} (truncated)");
        }
        var file = new byte[total];
        foreach (var part in parts)
        {
            part.Data.Span.CopyTo(file.AsSpan((int)part.Offset));
        }
        var computed = DeltaFile.ComputeChecksum(file);
        if (computed != first.FileChecksum || DeltaFile.StoredChecksum(file) != first.FileChecksum)
        {
            return new DeltaStreamOutcome(first.Seq, _openFirst, last, first.PublishedAt, null,
                $"delta seq {first.Seq} refused whole: the file its parts make hashes to {computed:x16}, the publisher said {first.FileChecksum:x16} (corrupt)");
        }
        return new DeltaStreamOutcome(first.Seq, _openFirst, last, first.PublishedAt, file, null);
    }

    private void RefuseOpen(string why, List<DeltaStreamOutcome> outcomes)
    {
        if (_open.Count == 0)
        {
            return;
        }
        var first = _open[0];
        outcomes.Add(new DeltaStreamOutcome(first.Seq, _openFirst, _openLast, first.PublishedAt, null,
            $"delta seq {first.Seq} refused whole: only {_open.Count} of its {first.Parts} parts arrived before {why} (truncated)"));
        _open.Clear();
    }
}
