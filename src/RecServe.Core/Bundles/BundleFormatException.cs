namespace RecServe.Core.Bundles;

/// <summary>A bundle manifest that cannot be read or does not describe a servable model.</summary>
public sealed class BundleFormatException : Exception
{
    /// <summary>Creates the exception for the manifest at <paramref name="path"/>.</summary>
    public BundleFormatException(string path, string message, Exception? inner = null)
        : base($"{path}: {message}", inner)
    {
        Path = path;
    }

    /// <summary>The manifest (or bundle folder) at fault.</summary>
    public string Path { get; }
}
