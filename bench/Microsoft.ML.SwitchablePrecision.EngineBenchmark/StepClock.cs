using System.Diagnostics;

namespace Microsoft.ML.SwitchablePrecision.EngineBenchmark;

/// <summary>Times one step by the wall clock or by the processor time of the whole process.</summary>
internal readonly struct StepClock
{
    private readonly bool _cpu;
    private readonly long _startTimestamp;
    private readonly TimeSpan _startProcessor;

    private StepClock(bool cpu)
    {
        _cpu = cpu;
        _startTimestamp = Stopwatch.GetTimestamp();
        _startProcessor = cpu ? Process.GetCurrentProcess().TotalProcessorTime : TimeSpan.Zero;
    }

    public static StepClock Start(bool processorTime) => new(processorTime);

    public double ElapsedMilliseconds => _cpu
        ? (Process.GetCurrentProcess().TotalProcessorTime - _startProcessor).TotalMilliseconds
        : Stopwatch.GetElapsedTime(_startTimestamp).TotalMilliseconds;
}
