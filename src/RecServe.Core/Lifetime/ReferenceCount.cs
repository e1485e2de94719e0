namespace RecServe.Core.Lifetime;

/// <summary>
/// The one operation every reference-counted resource here needs (served versions, dense sessions, shared table
/// bytes): take a reference unless the count already reached zero, at which point the resource is being disposed
/// and must not be revived.
/// </summary>
public static class ReferenceCount
{
    /// <summary>Increments <paramref name="count"/> unless it is zero or less; returns whether it did.</summary>
    public static bool TryIncrement(ref int count)
    {
        while (true)
        {
            var current = Volatile.Read(ref count);
            if (current <= 0)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref count, current + 1, current) == current)
            {
                return true;
            }
        }
    }
}
