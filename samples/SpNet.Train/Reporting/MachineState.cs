using System.Globalization;
using System.Runtime.InteropServices;
using TorchSharp;

namespace SpNet.Train.Reporting;

/// <summary>What the timings of a run depend on: the processor, the thread count and how busy the machine was.</summary>
/// <param name="Processor">The CPU's model name (Linux: /proc/cpuinfo), or the architecture elsewhere.</param>
/// <param name="LogicalCores">Logical cores the process may use.</param>
/// <param name="OperatingSystem">The OS description.</param>
/// <param name="Runtime">The .NET runtime version.</param>
/// <param name="TorchThreads">torch's intra-op thread count during the run.</param>
/// <param name="LoadAverage">The 1-minute load average (Linux: /proc/loadavg), or null where there is none.</param>
internal sealed record MachineState(string Processor, int LogicalCores, string OperatingSystem, string Runtime, int TorchThreads, double? LoadAverage)
{
    /// <summary>The machine as it is now.</summary>
    public static MachineState Now() => new(ProcessorName(), Environment.ProcessorCount, RuntimeInformation.OSDescription,
        Environment.Version.ToString(), torch.get_num_threads(), OneMinuteLoad());

    /// <summary>
    /// Whether other work shared the cores: a 1-minute load average above one core's worth beyond this run's own
    /// torch threads means the timings were taken on a shared machine.
    /// </summary>
    public static bool WasShared(double? loadBefore, double? loadAfter, int torchThreads, int logicalCores) =>
        loadBefore > 0.5 || loadAfter > Math.Min(torchThreads, logicalCores) + 1.0;

    private static string ProcessorName()
    {
        const string cpuInfo = "/proc/cpuinfo";
        if (File.Exists(cpuInfo))
            foreach (string line in File.ReadLines(cpuInfo))
                if (line.StartsWith("model name", StringComparison.Ordinal) && line.IndexOf(':') is > 0 and var colon)
                    return line[(colon + 1)..].Trim();
        return RuntimeInformation.ProcessArchitecture.ToString();
    }

    private static double? OneMinuteLoad()
    {
        const string loadAverage = "/proc/loadavg";
        if (!File.Exists(loadAverage)) return null;
        string first = File.ReadAllText(loadAverage).Split(' ', 2)[0];
        return double.TryParse(first, NumberStyles.Float, CultureInfo.InvariantCulture, out double load) ? load : null;
    }
}
