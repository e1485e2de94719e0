#!/usr/bin/env python3
"""What this machine's disk delivers to a cold read, the bound on serving rows that are not in memory.

  disk-read.py FILE [SECONDS]

FILE is an existing large file (a table's rows.bin); its pages are dropped (posix_fadvise DONTNEED) before each
test, and the tests read pages that were dropped (checked with mincore via pagecache.py). Prints key=value lines:
  seq_mb_per_s            one reader, 8 MiB reads from the start (the page cache's readahead at work)
  rand_iops_qd1           random 4 KiB preads, one at a time (a page fault's cost)
  rand_iops_qd32          the same from 32 threads at once (32 reads in flight; os.pread releases the GIL)
  willneed_iops           posix_fadvise(WILLNEED) on 256 random pages at once, then preads of them (the readahead
                          CachedTier's miss path issues), pages per second
Each random test stops after SECONDS (default 5) or at the file's page count. Linux only.
"""
import os
import random
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pagecache  # noqa: E402

PAGE = 4096


def drop(path):
    pagecache.drop(path)
    r, n = pagecache.resident(path)
    if r > n // 100:
        sys.exit(f"{path}: {r} of {n} pages still resident after DONTNEED (mapped by another process?)")


def sequential(path, seconds):
    drop(path)
    fd = os.open(path, os.O_RDONLY)
    done = 0
    start = time.monotonic()
    try:
        while time.monotonic() - start < seconds:
            chunk = os.pread(fd, 8 << 20, done)
            if not chunk:
                break
            done += len(chunk)
    finally:
        os.close(fd)
    return done / (time.monotonic() - start) / 1e6


def random_reads(path, seconds, threads):
    drop(path)
    pages = os.path.getsize(path) // PAGE
    order = random.Random(7).sample(range(pages), min(pages, 2_000_000))
    next_page = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    counts = []

    def worker():
        fd = os.open(path, os.O_RDONLY)
        done = 0
        try:
            while time.monotonic() < deadline:
                with lock:
                    if next_page[0] >= len(order):
                        break
                    page = order[next_page[0]]
                    next_page[0] += 1
                os.pread(fd, PAGE, page * PAGE)
                done += 1
        finally:
            os.close(fd)
        counts.append(done)

    start = time.monotonic()
    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return sum(counts) / (time.monotonic() - start)


def willneed(path, seconds, batch=256):
    drop(path)
    pages = os.path.getsize(path) // PAGE
    rng = random.Random(11)
    fd = os.open(path, os.O_RDONLY)
    done = 0
    start = time.monotonic()
    try:
        while time.monotonic() - start < seconds:
            chosen = [rng.randrange(pages) for _ in range(batch)]
            for page in chosen:
                os.posix_fadvise(fd, page * PAGE, PAGE, os.POSIX_FADV_WILLNEED)
            for page in chosen:
                os.pread(fd, PAGE, page * PAGE)
            done += batch
    finally:
        os.close(fd)
    return done / (time.monotonic() - start)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    path = sys.argv[1]
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 5.0
    print(f"file={path} bytes={os.path.getsize(path)}")
    print(f"seq_mb_per_s={sequential(path, seconds):.0f}")
    print(f"rand_iops_qd1={random_reads(path, seconds, 1):.0f}")
    print(f"rand_iops_qd32={random_reads(path, seconds, 32):.0f}")
    print(f"willneed_iops={willneed(path, seconds):.0f}")
    pagecache.drop(path)


if __name__ == "__main__":
    main()
