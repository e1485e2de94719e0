using System.Text;

namespace RecServe.Protocol.TensorProto;

/// <summary>
/// Strings for the model and input names a request spells in UTF-8, reused from earlier requests: every request of a
/// steady stream names the same model and inputs, and a new string for each would be most of what reading the request
/// allocates. A small table indexed by a hash of the bytes; a race between threads only costs a miss.
/// </summary>
public sealed class Utf8NameCache
{
    private const int Slots = 64;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly string?[] _names = new string?[Slots];

    /// <summary>The cache the wire readers share.</summary>
    public static Utf8NameCache Shared { get; } = new();

    /// <summary>The string <paramref name="utf8"/> spells; false if it is not valid UTF-8.</summary>
    public bool TryGet(ReadOnlySpan<byte> utf8, out string name)
    {
        var slot = (int)(Hash(utf8) % Slots);
        var cached = Volatile.Read(ref _names[slot]);
        if (cached is not null && EqualsAscii(cached, utf8))
        {
            name = cached;
            return true;
        }
        if (!System.Text.Unicode.Utf8.IsValid(utf8))
        {
            name = "";
            return false;
        }
        name = StrictUtf8.GetString(utf8);
        if (name.Length == utf8.Length)
        {
            Volatile.Write(ref _names[slot], name); // ASCII only: the comparison above is byte for char
        }
        return true;
    }

    private static uint Hash(ReadOnlySpan<byte> bytes)
    {
        var hash = 2166136261u;
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * 16777619u;
        }
        return hash;
    }

    private static bool EqualsAscii(string name, ReadOnlySpan<byte> utf8)
    {
        if (name.Length != utf8.Length)
        {
            return false;
        }
        for (var i = 0; i < utf8.Length; i++)
        {
            if (name[i] != utf8[i])
            {
                return false;
            }
        }
        return true;
    }
}
