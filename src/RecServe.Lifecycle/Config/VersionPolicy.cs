namespace RecServe.Lifecycle.Config;

/// <summary>
/// Which of a model's versions on disk should be served. A pure function over the list of versions, so each
/// policy is testable alone (as TF-Serving's ServableVersionPolicy).
/// </summary>
public abstract record VersionPolicy
{
    /// <summary>The versions to serve, chosen from <paramref name="available"/> (any order).</summary>
    public abstract IReadOnlyList<long> Select(IReadOnlyCollection<long> available);

    /// <summary>The default policy: the highest version only.</summary>
    public static VersionPolicy Default { get; } = new Latest(1);

    /// <summary>The <paramref name="Count"/> highest versions.</summary>
    public sealed record Latest(int Count) : VersionPolicy
    {
        /// <inheritdoc />
        public override IReadOnlyList<long> Select(IReadOnlyCollection<long> available)
        {
            var sorted = available.OrderByDescending(v => v).Take(Math.Max(Count, 1)).ToList();
            return sorted;
        }

        /// <inheritdoc />
        public override string ToString() => $"latest {Count}";
    }

    /// <summary>Every version on disk.</summary>
    public sealed record All : VersionPolicy
    {
        /// <inheritdoc />
        public override IReadOnlyList<long> Select(IReadOnlyCollection<long> available) => available.OrderByDescending(v => v).ToList();

        /// <inheritdoc />
        public override string ToString() => "all";
    }

    /// <summary>Exactly the listed versions, those of them that exist.</summary>
    public sealed record Specific(IReadOnlyList<long> Versions) : VersionPolicy
    {
        /// <inheritdoc />
        public override IReadOnlyList<long> Select(IReadOnlyCollection<long> available) =>
            available.Where(Versions.Contains).OrderByDescending(v => v).ToList();

        /// <inheritdoc />
        public override string ToString() => "specific [" + string.Join(", ", Versions) + "]";
    }
}
