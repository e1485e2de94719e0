using RecServe.Lifecycle.Config;
using RecServe.Lifecycle.Tests.Fakes;
using RecServe.Runtime.Onnx;

namespace RecServe.Lifecycle.Tests;

/// <summary>The production loader deletes the state folders of versions it is told not to keep, and nothing else.</summary>
public sealed class StateRemovalTests : IDisposable
{
    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public void OnlyVersionFoldersOutsideTheKeepSetAreDeleted()
    {
        var state = Path.Combine(_root.Path, "state");
        foreach (var folder in new[] { "1/overlay", "2/overlay", "10/overlay", "warmup", "notes" })
        {
            Directory.CreateDirectory(Path.Combine(state, "m", folder));
        }
        var loader = new ModelFolderLoader(new OnnxModelOptions(), stateDirectory: state);

        var removed = loader.RemoveStateExcept(ModelConfig.Latest("m", _root.ModelPath("m")), new HashSet<long> { 2 });

        Assert.Equal([1L, 10L], removed.Order());
        Assert.Equal(["2", "notes", "warmup"], Directory.GetDirectories(Path.Combine(state, "m")).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void AModelWithoutStateRemovesNothing()
    {
        var loader = new ModelFolderLoader(new OnnxModelOptions(), stateDirectory: Path.Combine(_root.Path, "none"));

        Assert.Empty(loader.RemoveStateExcept(ModelConfig.Latest("m", _root.ModelPath("m")), new HashSet<long>()));
    }
}
