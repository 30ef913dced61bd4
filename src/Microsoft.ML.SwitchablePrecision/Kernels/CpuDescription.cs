namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>
/// The processor a measurement ran on, for benchmark output and experiment records: the model name from
/// <c>/proc/cpuinfo</c> with its family and model numbers, since virtual machines often report only a vendor name
/// ("AMD EPYC") that does not tell a Zen 3 from a Zen 4.
/// </summary>
internal static class CpuDescription
{
    /// <summary>For example "AMD EPYC (family 25 model 17)"; the OS architecture where <c>/proc/cpuinfo</c> is missing.</summary>
    public static string Current { get; } = Describe(File.Exists(CpuInfo) ? File.ReadLines(CpuInfo) : null);

    private const string CpuInfo = "/proc/cpuinfo";

    /// <summary>The description from the lines of a <c>/proc/cpuinfo</c> (its first processor), or null for none.</summary>
    internal static string Describe(IEnumerable<string>? cpuInfo)
    {
        if (cpuInfo is null) return $"{System.Runtime.InteropServices.RuntimeInformation.OSArchitecture} CPU, model unknown";
        string? name = null, family = null, model = null;
        foreach (var line in cpuInfo)
        {
            if (line.Length == 0 && name is not null) break;
            int colon = line.IndexOf(':');
            if (colon < 0) continue;
            string key = line[..colon].Trim(), value = line[(colon + 1)..].Trim();
            if (key == "model name") name ??= value;
            else if (key == "cpu family") family ??= value;
            else if (key == "model") model ??= value;
        }
        string numbers = family is null ? "" : model is null ? $" (family {family})" : $" (family {family} model {model})";
        return (name ?? "CPU model unknown") + numbers;
    }
}
