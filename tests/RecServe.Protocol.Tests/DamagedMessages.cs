using RecServe.Core.Tensors;

namespace RecServe.Protocol.Tests;

/// <summary>Damaged copies of a valid message, for checking that a wire reader never disagrees with Google.Protobuf.</summary>
internal static class DamagedMessages
{
    /// <summary>
    /// Every cut of <paramref name="bytes"/> (each prefix), then <paramref name="rounds"/> copies with one to three
    /// bytes replaced at random (seeded, so a failure repeats).
    /// </summary>
    public static IEnumerable<byte[]> Of(byte[] bytes, int seed, int rounds = 5000)
    {
        for (var length = 0; length < bytes.Length; length++)
        {
            yield return bytes[..length];
        }
        var random = new Random(seed);
        for (var round = 0; round < rounds; round++)
        {
            var damaged = (byte[])bytes.Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
            {
                damaged[random.Next(damaged.Length)] = (byte)random.Next(256);
            }
            yield return damaged;
        }
    }

    /// <summary>
    /// Runs <paramref name="readAndCompare"/> (read a message; if taken, compare with the general path and return true)
    /// on every damaged copy of <paramref name="bytes"/>, with the buffers cleared between; at least one copy must be
    /// taken, since replacing a byte inside tensor values keeps a message valid.
    /// </summary>
    public static void EachIsLeftOrReadAlike(byte[] bytes, int seed, Func<byte[], InputTensorBuffers, bool> readAndCompare)
    {
        using var into = new InputTensorBuffers();
        var taken = 0;
        foreach (var message in Of(bytes, seed))
        {
            taken += readAndCompare(message, into) ? 1 : 0;
            into.Clear();
        }
        Assert.True(taken > 0, "no damaged copy was taken");
    }
}
