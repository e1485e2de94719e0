using System.Collections.Concurrent;
using System.Diagnostics;
using CsCheck;
using RecServe.Cli.Bench.Targets;

namespace RecServe.Cli.Fuzz;

/// <summary>
/// One fuzzing run: reads the model's signature from the server, answers a few valid requests, sends the
/// generated ones concurrently (CsCheck shrinks any that is answered wrongly to a small reproducer), and
/// answers the valid requests again.
/// </summary>
internal static class FuzzRun
{
    /// <summary>Runs <paramref name="settings"/>.</summary>
    /// <exception cref="CsCheckException">A request was answered wrongly; the message holds the shrunk request and the seed.</exception>
    public static async Task<FuzzReport> RunAsync(FuzzSettings settings, Action<string>? log, CancellationToken cancellationToken)
    {
        var target = new TargetSettings { Api = settings.Api, Address = settings.Address, Model = settings.Model, Timeout = settings.Timeout };
        await using var metadata = BenchTargets.Create(target);
        var signature = await metadata.GetSignatureAsync(cancellationToken).ConfigureAwait(false);

        using var sender = new FuzzSender(settings.Address, settings.Timeout);
        var good = FuzzCases.Good(settings.Api, settings.Model, signature, settings.GoodRequests);
        var before = await AnswersAsync(sender, good, cancellationToken).ConfigureAwait(false);

        var statuses = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        await FuzzCases.For(settings.Api, settings.Model, signature).SampleAsync(
            async request =>
            {
                var outcome = await sender.SendAsync(request, cancellationToken).ConfigureAwait(false);
                statuses.AddOrUpdate(outcome.Status, 1, static (_, n) => n + 1);
                if (!outcome.Acceptable)
                {
                    throw new InvalidOperationException($"answered {outcome.Status}: {outcome.Detail}");
                }
            },
            writeLine: log, seed: settings.Seed, iter: settings.Count, threads: settings.Concurrency, print: static r => r.ToString()).ConfigureAwait(false);
        clock.Stop();

        var after = await AnswersAsync(sender, good, cancellationToken).ConfigureAwait(false);
        var unchanged = before.Zip(after).All(pair => pair.First.AsSpan().SequenceEqual(pair.Second));
        var sorted = statuses.OrderByDescending(s => s.Value).ToList();
        return new FuzzReport(sorted.Sum(s => s.Value), sorted, unchanged, clock.Elapsed);
    }

    private static async Task<byte[][]> AnswersAsync(FuzzSender sender, FuzzRequest[] requests, CancellationToken cancellationToken)
    {
        var answers = new byte[requests.Length][];
        for (var i = 0; i < requests.Length; i++)
        {
            var (outcome, answer) = await sender.SendForAnswerAsync(requests[i], cancellationToken).ConfigureAwait(false);
            answers[i] = answer ?? throw new InvalidOperationException($"a valid request was answered {outcome.Status}: {outcome.Detail}\nrequest: {requests[i]}");
        }
        return answers;
    }
}
