using Microsoft.Win32.SafeHandles;

namespace RecServe.Embeddings.Tables;

/// <summary>
/// What a file looked like when it was opened: its length and last write time (nanoseconds on Linux file systems).
/// A write changes the time; a file of the same length written within the same clock tick is the one case it misses.
/// </summary>
internal readonly record struct FileStamp(long Length, DateTime LastWriteUtc)
{
    /// <summary>The stamp of an open file, however its path has changed since.</summary>
    public static FileStamp Of(SafeFileHandle handle) => new(RandomAccess.GetLength(handle), File.GetLastWriteTimeUtc(handle));

    /// <summary>The stamp of the file now at <paramref name="path"/>, or default when there is none.</summary>
    public static FileStamp TryOf(string path)
    {
        try
        {
            var info = new FileInfo(path);
            return info.Exists ? new FileStamp(info.Length, info.LastWriteTimeUtc) : default;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return default;
        }
    }
}
