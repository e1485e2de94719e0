namespace RecServe.Runtime;

/// <summary>A model version cannot be served; the message says why, for model status and logs.</summary>
public sealed class ModelLoadException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ModelLoadException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}
