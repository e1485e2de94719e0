using System.Collections.Immutable;
using RecServe.Lifecycle.Config;
using RecServe.Lifecycle.Versions;

namespace RecServe.Lifecycle;

/// <summary>
/// An immutable snapshot of what is served: per model, its config and available versions. Requests read it
/// without locks; the manager publishes a new snapshot with one reference swap.
/// </summary>
internal sealed record ServingMap(ImmutableDictionary<string, ServedModel> Models)
{
    public static ServingMap Empty { get; } = new(ImmutableDictionary.Create<string, ServedModel>(StringComparer.Ordinal));
}

/// <summary>One model's entry in a <see cref="ServingMap"/>.</summary>
internal sealed record ServedModel(ModelConfig Config, ImmutableSortedDictionary<long, ServableVersion> Versions);
