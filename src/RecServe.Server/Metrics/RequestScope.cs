using System.Diagnostics;
using RecServe.Core.Errors;

namespace RecServe.Server.Metrics;

/// <summary>Times one request from decode to encode and records it once, as a success or with its error code.</summary>
public struct RequestScope(ServingMetrics metrics, string api, string model, long startedAt)
{
    private bool _recorded;

    /// <summary>The version that answered, once known.</summary>
    public long Version { get; set; }

    /// <summary>Records success.</summary>
    public void Succeeded() => Finish(null);

    /// <summary>Records a failure with <paramref name="error"/>'s code (INTERNAL for anything unexpected).</summary>
    public void Failed(Exception error) => Finish(error is ServingException serving ? serving.Code : ServingErrorCode.Internal);

    private void Finish(ServingErrorCode? code)
    {
        if (_recorded)
        {
            return;
        }
        _recorded = true;
        metrics.Record(api, model, Version, code, Stopwatch.GetElapsedTime(startedAt).TotalSeconds);
    }
}
