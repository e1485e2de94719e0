namespace RecServe.Cli.Fuzz;

/// <summary>The result of a fuzzing run that found no wrong answer.</summary>
/// <param name="Requests">Generated requests sent.</param>
/// <param name="Statuses">How many answers had each status, most frequent first.</param>
/// <param name="GoodAnswersUnchanged">Whether the valid requests got the same answers after the run as before.</param>
/// <param name="Elapsed">Time the generated requests took.</param>
internal sealed record FuzzReport(long Requests, IReadOnlyList<KeyValuePair<string, long>> Statuses, bool GoodAnswersUnchanged, TimeSpan Elapsed)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"{Requests} requests in {Elapsed.TotalSeconds:F1} s; answers: {string.Join(", ", Statuses.Select(s => $"{s.Key} {s.Value}"))}; "
        + (GoodAnswersUnchanged ? "good requests answered as before" : "GOOD REQUESTS ANSWERED DIFFERENTLY AFTER THE RUN");
}
