namespace RecServe.Cli.Configuration;

/// <summary>
/// A serve setting from the environment or a settings file that cannot be used; the message names the source
/// (the variable or the file and key), so an operator knows which one to fix.
/// </summary>
internal sealed class ConfigSourceException(string message) : Exception(message);
