using Microsoft.Extensions.Logging.Abstractions;
using RecServe.Core.Errors;
using RecServe.Lifecycle.Config;
using RecServe.Lifecycle.Tests.Fakes;
using RecServe.Lifecycle.Versions;

namespace RecServe.Lifecycle.Tests;

public sealed class ModelManagerTests : IDisposable
{
    private readonly TempDirectory _root = new();
    private readonly FakeVersionLoader _loader = new();
    private readonly ModelManager _manager;

    public ModelManagerTests()
    {
        _manager = new ModelManager(_loader, NullLogger<ModelManager>.Instance);
    }

    public void Dispose()
    {
        _manager.Dispose();
        _root.Dispose();
    }

    private ModelConfig Config(string name, VersionPolicy? policy = null, Dictionary<string, long>? labels = null) =>
        new(name, _root.ModelPath(name), policy ?? VersionPolicy.Default, labels ?? []);

    private Task Apply(params ModelConfig[] configs) => _manager.ApplyConfigAsync(configs);

    private long ServedVersion(string model = "m", long? version = null, string? label = null)
    {
        using var handle = _manager.GetHandle(model, version, label);
        return handle.Version;
    }

    private VersionStatus Status(long version, string model = "m") => Assert.Single(_manager.GetStatus(model, version));

    private static ServingException NotFound(Action action)
    {
        var error = Assert.Throws<ServingException>(action);
        Assert.Equal(ServingErrorCode.NotFound, error.Code);
        return error;
    }

    [Fact]
    public async Task AVanishedBasePathKeepsTheServedVersion()
    {
        _root.WriteVersion("m", 1);
        await Apply(Config("m"));
        Directory.Move(_root.ModelPath("m"), _root.ModelPath("m") + ".moved");

        await _manager.PollAsync();
        await _manager.PollAsync();

        Assert.Equal(1, ServedVersion());
        Assert.Equal(ModelVersionState.Available, Status(1).State);
        Assert.False(_loader.Model("m", 1).IsDisposed);
    }

    [Fact]
    public async Task ServesTheHighestVersion()
    {
        _root.WriteVersion("m", 1);
        _root.WriteVersion("m", 3);
        _root.WriteVersion("m", 2);

        await Apply(Config("m"));

        using var handle = _manager.GetHandle("m");
        Assert.Equal("m", handle.ModelName);
        Assert.Equal(3, handle.Version);
        Assert.Same(_loader.Model("m", 3), handle.Model);
        Assert.Equal([3L], _loader.Loaded.Select(m => m.Version));
    }

    [Fact]
    public async Task GetHandleByVersionLabelAndDefault()
    {
        _root.WriteVersion("m", 1);
        _root.WriteVersion("m", 2);
        _root.WriteVersion("m", 3);

        await Apply(Config("m", new VersionPolicy.All(), new() { ["stable"] = 1, ["canary"] = 2 }));

        Assert.Equal(2, ServedVersion(version: 2));
        Assert.Equal(1, ServedVersion(label: "stable"));
        Assert.Equal(2, ServedVersion(label: "canary"));
        Assert.Equal(3, ServedVersion());
        Assert.Equal(3, ServedVersion(label: ""));
    }

    [Fact]
    public async Task UnknownModelIsNotFound()
    {
        _root.WriteVersion("m", 1);
        await Apply(Config("m"));

        var error = NotFound(() => _manager.GetHandle("other"));

        Assert.Contains("'other'", error.Message);
    }

    [Fact]
    public async Task UnknownVersionIsNotFound()
    {
        _root.WriteVersion("m", 1);
        await Apply(Config("m"));

        var error = NotFound(() => _manager.GetHandle("m", version: 5));

        Assert.Contains("version 5", error.Message);
    }

    [Fact]
    public async Task UnknownLabelIsNotFound()
    {
        _root.WriteVersion("m", 1);
        await Apply(Config("m", labels: new() { ["stable"] = 1 }));

        var error = NotFound(() => _manager.GetHandle("m", label: "canary"));

        Assert.Contains("'canary'", error.Message);
    }

    [Fact]
    public async Task LabelOfAnUnservedVersionIsNotFound()
    {
        _root.WriteVersion("m", 1);
        _root.WriteVersion("m", 2);
        await Apply(Config("m", labels: new() { ["old"] = 1 }));

        var error = NotFound(() => _manager.GetHandle("m", label: "old"));

        Assert.Contains("version 1", error.Message);
    }

    [Fact]
    public async Task ModelWithoutVersionsIsNotFound()
    {
        await Apply(Config("m"));

        var error = NotFound(() => _manager.GetHandle("m"));

        Assert.Contains("no version available", error.Message);
        Assert.Empty(_manager.GetStatus("m"));
    }

    [Fact]
    public async Task NewVersionIsLoadedOnlyOnceUnchangedAcrossTwoPolls()
    {
        _root.WriteVersion("m", 1);
        await Apply(Config("m"));

        _root.WriteVersion("m", 2);
        await _manager.PollAsync();

        Assert.Equal(1, ServedVersion());
        Assert.Equal(ModelVersionState.Start, Status(2).State);
        Assert.Equal(0, _loader.Attempts("m", 2));

        await _manager.PollAsync();

        Assert.Equal(2, ServedVersion());
        Assert.Equal(ModelVersionState.Available, Status(2).State);
        Assert.Equal(ModelVersionState.End, Status(1).State);
        Assert.True(_loader.Model("m", 1).IsDisposed);
        Assert.False(_loader.Model("m", 2).IsDisposed);
    }

    [Fact]
    public async Task VersionStillBeingWrittenWaitsUntilItStopsChanging()
    {
        _root.WriteVersion("m", 1);
        await Apply(Config("m"));

        _root.WriteVersion("m", 2, size: 10);
        await _manager.PollAsync();
        _root.WriteVersion("m", 2, size: 20);
        await _manager.PollAsync();

        Assert.Equal(1, ServedVersion());
        Assert.Equal(0, _loader.Attempts("m", 2));

        await _manager.PollAsync();

        Assert.Equal(2, ServedVersion());
    }

    [Fact]
    public async Task FailingVersionLeavesTheOldOneServing()
    {
        _root.WriteVersion("m", 1);
        await Apply(Config("m"));
        _loader.Fail("m", 2);

        _root.WriteVersion("m", 2);
        await _manager.PollAsync();
        await _manager.PollAsync();

        Assert.Equal(1, ServedVersion());
        Assert.False(_loader.Model("m", 1).IsDisposed);
        Assert.Equal(ModelVersionState.Available, Status(1).State);
        var failed = Status(2);
        Assert.Equal(ModelVersionState.End, failed.State);
        Assert.Equal("fake load failure of m version 2", failed.Error);
        NotFound(() => _manager.GetHandle("m", version: 2));
    }

    [Fact]
    public async Task FailingVersionIsRetriedOnlyAfterItsFilesChange()
    {
        _root.WriteVersion("m", 1);
        await Apply(Config("m"));
        _loader.Fail("m", 2);
        _root.WriteVersion("m", 2, size: 10);
        await _manager.PollAsync();
        await _manager.PollAsync();
        Assert.Equal(1, _loader.Attempts("m", 2));

        await _manager.PollAsync();
        await _manager.PollAsync();
        Assert.Equal(1, _loader.Attempts("m", 2));

        _loader.Succeed("m", 2);
        _root.WriteVersion("m", 2, size: 20);
        await _manager.PollAsync();
        Assert.Equal(1, _loader.Attempts("m", 2));
        Assert.Equal(ModelVersionState.End, Status(2).State);

        await _manager.PollAsync();
        Assert.Equal(2, _loader.Attempts("m", 2));
        Assert.Equal(2, ServedVersion());
        Assert.Equal(ModelVersionState.Available, Status(2).State);
        Assert.Null(Status(2).Error);
    }

    [Fact]
    public async Task FailingOnlyVersionIsReportedAndNotServed()
    {
        _loader.Fail("m", 1);
        _root.WriteVersion("m", 1);

        await Apply(Config("m"));

        NotFound(() => _manager.GetHandle("m"));
        Assert.Equal(ModelVersionState.End, Status(1).State);
        Assert.Contains("fake load failure", Status(1).Error);
    }

    [Fact]
    public async Task LeasedVersionStaysLoadedUntilTheHandleIsDisposed()
    {
        _root.WriteVersion("m", 1);
        await Apply(Config("m"));
        var old = _manager.GetHandle("m");

        _root.WriteVersion("m", 2);
        await _manager.PollAsync();
        await _manager.PollAsync();

        Assert.Equal(2, ServedVersion());
        var oldModel = Assert.IsType<FakeModel>(old.Model);
        Assert.Equal(1, old.Version);
        Assert.False(oldModel.IsDisposed);
        Assert.Equal(ModelVersionState.Unloading, Status(1).State);
        NotFound(() => _manager.GetHandle("m", version: 1));

        old.Dispose();

        Assert.Equal(1, oldModel.DisposeCount);
        Assert.Equal(ModelVersionState.End, Status(1).State);
        Assert.Null(Status(1).Error);
    }

    [Fact]
    public async Task DisposingAHandleTwiceReleasesOnce()
    {
        _root.WriteVersion("m", 1);
        await Apply(Config("m"));

        var handle = _manager.GetHandle("m");
        handle.Dispose();
        handle.Dispose();

        Assert.False(_loader.Model("m", 1).IsDisposed);
        Assert.Equal(1, ServedVersion());
    }

    [Fact]
    public async Task LatestTwoKeepsTwoVersions()
    {
        _root.WriteVersion("m", 1);
        _root.WriteVersion("m", 2);
        _root.WriteVersion("m", 3);
        await Apply(Config("m", new VersionPolicy.Latest(2)));

        Assert.Equal([2L, 3L], _loader.Loaded.Select(m => m.Version).Order());
        Assert.Equal(2, ServedVersion(version: 2));
        Assert.Equal(3, ServedVersion());
        NotFound(() => _manager.GetHandle("m", version: 1));

        _root.WriteVersion("m", 4);
        await _manager.PollAsync();
        await _manager.PollAsync();

        Assert.Equal(3, ServedVersion(version: 3));
        Assert.Equal(4, ServedVersion());
        NotFound(() => _manager.GetHandle("m", version: 2));
        Assert.True(_loader.Model("m", 2).IsDisposed);
        Assert.False(_loader.Model("m", 3).IsDisposed);
    }

    [Fact]
    public async Task SpecificPolicyServesOnlyListedVersions()
    {
        _root.WriteVersion("m", 1);
        _root.WriteVersion("m", 2);
        _root.WriteVersion("m", 3);

        await Apply(Config("m", new VersionPolicy.Specific([1, 3])));

        Assert.Equal([1L, 3L], _loader.Loaded.Select(m => m.Version).Order());
        NotFound(() => _manager.GetHandle("m", version: 2));
    }

    [Fact]
    public async Task DeletingTheServedVersionRollsBackToThePreviousOne()
    {
        _root.WriteVersion("m", 1);
        _root.WriteVersion("m", 2);
        await Apply(Config("m"));

        _root.DeleteVersion("m", 2);
        await _manager.PollAsync();

        Assert.Equal(1, ServedVersion());
        Assert.True(_loader.Model("m", 2).IsDisposed);
    }

    [Fact]
    public async Task TheStateOfAVersionIsReleasedOnlyOnceItLeftTheDiskAndUnloaded()
    {
        _root.WriteVersion("m", 1);
        _root.WriteVersion("m", 2);
        await Apply(Config("m", new VersionPolicy.Latest(2)));
        Assert.Equal([1L, 2L], _loader.StateKeeps[^1].Order());

        using (var lease = _manager.GetHandle("m", version: 1))
        {
            _root.DeleteVersion("m", 1);
            await _manager.PollAsync();
            Assert.Contains(1L, _loader.StateKeeps[^1]); // unloading: a request still holds it
        }

        await _manager.PollAsync();
        Assert.Equal([2L], _loader.StateKeeps[^1].Order());
    }

    [Fact]
    public async Task ReappliedLabelsTakeEffect()
    {
        _root.WriteVersion("m", 1);
        _root.WriteVersion("m", 2);
        await Apply(Config("m", new VersionPolicy.All(), new() { ["stable"] = 1 }));
        Assert.Equal(1, ServedVersion(label: "stable"));

        await Apply(Config("m", new VersionPolicy.All(), new() { ["stable"] = 2 }));

        Assert.Equal(2, ServedVersion(label: "stable"));
        Assert.Equal(2, Assert.Single(_manager.GetStatus("m", label: "stable")).Version);
    }

    [Fact]
    public async Task ReappliedPolicyLoadsAndRetiresVersions()
    {
        _root.WriteVersion("m", 1);
        _root.WriteVersion("m", 2);
        await Apply(Config("m"));
        NotFound(() => _manager.GetHandle("m", version: 1));

        await Apply(Config("m", new VersionPolicy.All()));
        Assert.Equal(1, ServedVersion(version: 1));
        Assert.Equal(2, ServedVersion(version: 2));

        await Apply(Config("m", new VersionPolicy.Specific([1])));
        Assert.Equal(1, ServedVersion());
        NotFound(() => _manager.GetHandle("m", version: 2));
        Assert.True(_loader.Model("m", 2).IsDisposed);
    }

    [Fact]
    public async Task ReappliedConfigWithoutAModelUnloadsIt()
    {
        _root.WriteVersion("a", 1);
        _root.WriteVersion("b", 1);
        await Apply(Config("a"), Config("b"));
        Assert.Equal(["a", "b"], _manager.ModelNames.Order());

        await Apply(Config("a"));

        Assert.Equal(["a"], _manager.ModelNames);
        var error = NotFound(() => _manager.GetHandle("b"));
        Assert.Contains("not served", error.Message);
        NotFound(() => _manager.GetStatus("b"));
        Assert.True(_loader.Model("b", 1).IsDisposed);
        Assert.False(_loader.Model("a", 1).IsDisposed);
        Assert.Equal(1, ServedVersion("a"));
    }

    [Fact]
    public async Task RemovedModelWithALeaseUnloadsWhenTheLeaseEnds()
    {
        _root.WriteVersion("b", 1);
        await Apply(Config("b"));
        var handle = _manager.GetHandle("b");

        await Apply();

        var model = Assert.IsType<FakeModel>(handle.Model);
        Assert.False(model.IsDisposed);
        handle.Dispose();
        Assert.True(model.IsDisposed);
    }

    [Fact]
    public async Task GetStatusListsVersionsNewestFirst()
    {
        _root.WriteVersion("m", 1);
        await Apply(Config("m", labels: new() { ["stable"] = 1 }));
        _loader.Fail("m", 3);
        _root.WriteVersion("m", 2);
        _root.WriteVersion("m", 3);
        await _manager.PollAsync();

        Assert.Equal(
            [(3L, ModelVersionState.Start), (2L, ModelVersionState.Start), (1L, ModelVersionState.Available)],
            _manager.GetStatus("m").Select(s => (s.Version, s.State)));
        Assert.Equal(1, Assert.Single(_manager.GetStatus("m", label: "stable")).Version);

        await _manager.PollAsync();

        // Version 3 failed, so 1 keeps serving; 2 is not aspired under latest-1 and keeps its Start status.
        Assert.Equal(
            [(3L, ModelVersionState.End), (2L, ModelVersionState.Start), (1L, ModelVersionState.Available)],
            _manager.GetStatus("m").Select(s => (s.Version, s.State)));
        Assert.Equal(1, ServedVersion());
    }

    [Fact]
    public async Task GetStatusOfUnknownModelVersionOrLabelIsNotFound()
    {
        _root.WriteVersion("m", 1);
        await Apply(Config("m"));

        NotFound(() => _manager.GetStatus("other"));
        NotFound(() => _manager.GetStatus("m", 9));
        NotFound(() => _manager.GetStatus("m", label: "canary"));
    }

    [Fact]
    public async Task VersionBeingLoadedIsLoadingWhileTheOldOneServes()
    {
        _root.WriteVersion("m", 1);
        await Apply(Config("m"));
        _root.WriteVersion("m", 2);
        await _manager.PollAsync();

        var entered = _loader.CloseGate();
        var poll = _manager.PollAsync();
        await entered;

        Assert.Equal(ModelVersionState.Loading, Status(2).State);
        Assert.Equal(1, ServedVersion());
        Assert.False(poll.IsCompleted);

        _loader.OpenGate();
        await poll;

        Assert.Equal(ModelVersionState.Available, Status(2).State);
        Assert.Equal(2, ServedVersion());
    }

    [Fact]
    public async Task StatusTimesComeFromTheTimeProvider()
    {
        var time = new ManualTime(new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero));
        using var manager = new ModelManager(_loader, NullLogger<ModelManager>.Instance, time);
        _root.WriteVersion("m", 1);

        await manager.ApplyConfigAsync([Config("m")]);

        Assert.Equal(time.Now, Assert.Single(manager.GetStatus("m")).Since);
    }

    [Fact]
    public async Task DisposeUnloadsEveryVersion()
    {
        _root.WriteVersion("a", 1);
        _root.WriteVersion("b", 1);
        _root.WriteVersion("b", 2);
        var manager = new ModelManager(_loader, NullLogger<ModelManager>.Instance);
        await manager.ApplyConfigAsync([Config("a"), Config("b", new VersionPolicy.All())]);

        manager.Dispose();

        Assert.Equal(3, _loader.Loaded.Count);
        Assert.All(_loader.Loaded, m => Assert.Equal(1, m.DisposeCount));
    }

    private sealed class ManualTime(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
