#!/usr/bin/env python3
"""Page-cache residency of files, for benchmarks that must start cold (or warm) and prove it.

  pagecache.py resident FILE...   prints each file's resident pages (mincore over a fresh read-only mapping)
  pagecache.py drop FILE...       posix_fadvise(DONTNEED) on each file, then prints what is still resident
  pagecache.py warm FILE...       reads each file through, then prints what is resident

Output: one line per file, `path resident_pages=N total_pages=M resident_fraction=F`, then a total line. Only clean
pages can be dropped (sync first); pages another process has mapped and touched stay resident, which the fraction
shows. Linux only.
"""
import ctypes
import ctypes.util
import mmap
import os
import sys

libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p]
PAGE = os.sysconf("SC_PAGE_SIZE")
MAP_FAILED = ctypes.c_void_p(-1).value


def resident(path):
    """(resident pages, total pages) of path, without touching (and so without faulting in) any page."""
    size = os.path.getsize(path)
    pages = (size + PAGE - 1) // PAGE
    if pages == 0:
        return 0, 0
    fd = os.open(path, os.O_RDONLY)
    try:
        address = libc.mmap(None, size, mmap.PROT_READ, mmap.MAP_SHARED, fd, 0)
        if address in (None, MAP_FAILED):
            raise OSError(ctypes.get_errno(), f"mmap {path}")
        try:
            vector = ctypes.create_string_buffer(pages)
            if libc.mincore(address, size, vector) != 0:
                raise OSError(ctypes.get_errno(), f"mincore {path}")
            return sum(b & 1 for b in vector.raw), pages
        finally:
            libc.munmap(address, size)
    finally:
        os.close(fd)


def drop(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def warm(path):
    with open(path, "rb", buffering=0) as f:
        while f.read(8 << 20):
            pass


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("resident", "drop", "warm"):
        sys.exit(__doc__)
    action, paths = sys.argv[1], sys.argv[2:]
    total_resident = total_pages = 0
    for path in paths:
        if action == "drop":
            drop(path)
        elif action == "warm":
            warm(path)
        r, n = resident(path)
        total_resident += r
        total_pages += n
        print(f"{path} resident_pages={r} total_pages={n} resident_fraction={r / max(n, 1):.4f}")
    print(f"total resident_pages={total_resident} total_pages={total_pages} resident_fraction={total_resident / max(total_pages, 1):.4f}")


if __name__ == "__main__":
    main()
