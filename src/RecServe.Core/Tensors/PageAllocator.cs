using System.Runtime.InteropServices;

namespace RecServe.Core.Tensors;

/// <summary>
/// Whole pages straight from the kernel for large tensors. On Linux, malloc would do this too at first, but glibc
/// raises its mmap threshold to the size of each mapped block it frees (up to 32 MiB), after which large blocks come
/// from its heap and stay resident once freed; mmap/munmap gives the pages back at once. Elsewhere: NativeMemory.
/// </summary>
internal static unsafe partial class PageAllocator
{
    private const int ProtRead = 0x1;
    private const int ProtWrite = 0x2;
    private const int MapPrivate = 0x02;
    private const int MapAnonymous = 0x20;

    /// <summary>Zero-filled memory of <paramref name="length"/> bytes; throws <see cref="OutOfMemoryException"/> when none is left.</summary>
    public static byte* AllocateZeroed(nuint length)
    {
        if (!OperatingSystem.IsLinux())
        {
            return (byte*)NativeMemory.AllocZeroed(length);
        }
        var address = Mmap(0, length, ProtRead | ProtWrite, MapPrivate | MapAnonymous, -1, 0);
        if (address == -1)
        {
            throw new OutOfMemoryException($"mmap of {length} bytes failed (errno {Marshal.GetLastPInvokeError()})");
        }
        return (byte*)address;
    }

    /// <summary>Frees what <see cref="AllocateZeroed"/> returned.</summary>
    public static void Free(byte* pointer, nuint length)
    {
        if (!OperatingSystem.IsLinux())
        {
            NativeMemory.Free(pointer);
            return;
        }
        _ = Munmap((nint)pointer, length);
    }

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static partial nint Mmap(nint address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport("libc", EntryPoint = "munmap")]
    private static partial int Munmap(nint address, nuint length);
}
