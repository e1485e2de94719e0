using RecServe.Lifecycle.Config;

namespace RecServe.Lifecycle.Tests.Config;

public sealed class VersionPolicyTests
{
    private static readonly long[] OnDisk = [3, 1, 10, 2];

    [Fact]
    public void DefaultIsLatestOne()
    {
        Assert.Equal(new VersionPolicy.Latest(1), VersionPolicy.Default);
        Assert.Equal([10L], VersionPolicy.Default.Select(OnDisk));
    }

    [Fact]
    public void LatestSelectsTheHighestVersions()
    {
        Assert.Equal([10L, 3L], new VersionPolicy.Latest(2).Select(OnDisk));
    }

    [Fact]
    public void LatestSelectsEverythingWhenFewerExist()
    {
        Assert.Equal([10L, 3L, 2L, 1L], new VersionPolicy.Latest(9).Select(OnDisk));
    }

    [Fact]
    public void LatestOfNothingIsNothing()
    {
        Assert.Empty(new VersionPolicy.Latest(2).Select([]));
    }

    [Fact]
    public void AllSelectsEveryVersionNewestFirst()
    {
        Assert.Equal([10L, 3L, 2L, 1L], new VersionPolicy.All().Select(OnDisk));
    }

    [Fact]
    public void SpecificSelectsOnlyListedVersionsThatExist()
    {
        Assert.Equal([3L, 1L], new VersionPolicy.Specific([1, 3, 42]).Select(OnDisk));
    }

    [Fact]
    public void SpecificOfAbsentVersionsIsNothing()
    {
        Assert.Empty(new VersionPolicy.Specific([7]).Select(OnDisk));
    }
}
