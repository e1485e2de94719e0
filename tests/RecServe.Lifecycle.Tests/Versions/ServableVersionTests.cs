using RecServe.Lifecycle.Tests.Fakes;
using RecServe.Lifecycle.Versions;

namespace RecServe.Lifecycle.Tests.Versions;

public sealed class ServableVersionTests
{
    [Fact]
    public void LastReleaseDisposesTheModelAndReportsOnce()
    {
        var model = new FakeModel("m", 1);
        var unloaded = new List<ServableVersion>();
        var version = new ServableVersion("m", 1, model, unloaded.Add);

        Assert.True(version.TryAcquire());
        version.Release();
        Assert.False(model.IsDisposed);

        version.Release();

        Assert.Equal(1, model.DisposeCount);
        Assert.Same(version, Assert.Single(unloaded));
    }

    [Fact]
    public void ReleasedVersionRefusesNewLeases()
    {
        var version = new ServableVersion("m", 1, new FakeModel("m", 1));

        version.Release();

        Assert.False(version.TryAcquire());
    }
}
