namespace RecServe.Lifecycle.Deltas;

/// <summary>
/// Hears what a version's delta stream consumer reads and where it fails, beyond what <see cref="IDeltaObserver"/>
/// hears of every delta. A delta observer that also implements this interface is told both.
/// </summary>
public interface IDeltaStreamObserver
{
    /// <summary>Entries were read from the stream.</summary>
    void OnStreamEntries(string model, long version, int count);

    /// <summary>A read failed (<c>unreachable</c>) or a publication was refused whole (<c>refused</c>).</summary>
    void OnStreamError(string model, long version, string kind);
}
