using System.Globalization;
using RecServe.Core.Errors;

namespace RecServe.Protocol.KServe;

/// <summary>Reads KServe v2's string model version: empty means "the server's choice" (the latest), else a version number.</summary>
public static class KServeVersion
{
    /// <summary>The version number <paramref name="text"/> names, or null when it is empty; INVALID_ARGUMENT when it is not a number.</summary>
    public static long? Parse(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            ? version
            : throw ServingException.InvalidArgument($"model version '{text}' is not a version number; RecServe versions are positive integers");
    }

    /// <summary>The version as KServe v2 writes it.</summary>
    public static string Format(long version) => version.ToString(CultureInfo.InvariantCulture);
}
