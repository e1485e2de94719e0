using System.Globalization;
using System.Runtime.InteropServices;

namespace RecServe.Server.Hosting;

/// <summary>
/// Puts every thread of this process under Linux's SCHED_BATCH policy (<c>recserve serve --sched_batch</c>).
/// </summary>
/// <remarks>
/// Under the default policy a thread woken by the network (the socket thread, a thread-pool worker released by it)
/// preempts the thread that is computing a prediction on that core, and the wake-up from another core arrives as an
/// inter-processor interrupt, which is costly in a virtual machine. SCHED_BATCH threads never preempt on wake-up: the
/// woken thread runs when the running one blocks or its time slice ends, so a loaded core switches less and answers
/// more requests per CPU second (measured in BENCHMARKS.md: about 10-25% at batch 256 on one core). The price is
/// latency when the core is shared with other programs, whose threads these no longer preempt. Threads inherit the
/// policy of the thread that creates them, so setting it on every thread that exists covers those made later.
/// </remarks>
public static partial class BatchSchedulingPolicy
{
    private const int SchedBatch = 3;
    private const int NoSuchThread = 3; // ESRCH: the thread ended while the task list was walked.

    /// <summary>Sets SCHED_BATCH on every thread of this process, including threads created meanwhile.</summary>
    /// <exception cref="PlatformNotSupportedException">Not on Linux.</exception>
    /// <exception cref="IOException">The kernel refused the policy.</exception>
    public static void ApplyToProcess()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("--sched_batch needs Linux (SCHED_BATCH)");
        }
        var done = new HashSet<int>();
        // A thread created while the list is walked inherits the policy only if its creator already had it, so walk
        // again until a pass finds no thread it has not set.
        bool foundNew;
        do
        {
            foundNew = false;
            foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
            {
                var threadId = int.Parse(Path.GetFileName(task), NumberStyles.None, CultureInfo.InvariantCulture);
                if (!done.Add(threadId))
                {
                    continue;
                }
                foundNew = true;
                var parameters = new SchedParam();
                if (SchedSetScheduler(threadId, SchedBatch, ref parameters) != 0 && Marshal.GetLastPInvokeError() is var error && error != NoSuchThread)
                {
                    throw new IOException($"--sched_batch: the kernel refused SCHED_BATCH for thread {threadId} (errno {error})");
                }
            }
        }
        while (foundNew);
    }

    /// <summary>struct sched_param: only the priority, which must be 0 for SCHED_BATCH.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct SchedParam
    {
        public int Priority;
    }

    [LibraryImport("libc", EntryPoint = "sched_setscheduler", SetLastError = true)]
    private static partial int SchedSetScheduler(int threadId, int policy, ref SchedParam parameters);
}
