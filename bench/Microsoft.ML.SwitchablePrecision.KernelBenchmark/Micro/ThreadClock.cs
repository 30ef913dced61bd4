using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Microsoft.ML.SwitchablePrecision.KernelBenchmark.Micro;

/// <summary>
/// CPU time of the calling thread (Linux <c>CLOCK_THREAD_CPUTIME_ID</c>), so that time the thread spends descheduled
/// on a shared machine is not counted: a long call is preempted far more often than a short one, which would bias
/// wall-clock ratios against slow variants. Falls back to the wall clock where the call is unavailable.
/// </summary>
internal static partial class ThreadClock
{
    private const int ThreadCpuTimeId = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    /// <summary>True when thread CPU time is measured, false when the wall clock is used.</summary>
    public static bool IsThreadTime { get; } = OperatingSystem.IsLinux() && Probe();

    /// <summary>Milliseconds of the current thread's CPU time (or of the wall clock).</summary>
    public static double NowMs()
    {
        if (!IsThreadTime) return Stopwatch.GetTimestamp() * 1000.0 / Stopwatch.Frequency;
        ClockGetTime(ThreadCpuTimeId, out var time);
        return time.Seconds * 1e3 + time.Nanoseconds * 1e-6;
    }

    private static bool Probe()
    {
        try { return ClockGetTime(ThreadCpuTimeId, out _) == 0; }
        catch (DllNotFoundException) { return false; }
        catch (EntryPointNotFoundException) { return false; }
    }
}
