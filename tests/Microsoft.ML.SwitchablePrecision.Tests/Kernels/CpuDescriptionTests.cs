using Microsoft.ML.SwitchablePrecision.Kernels;

namespace Microsoft.ML.SwitchablePrecision.Tests.Kernels;

public class CpuDescriptionTests
{
    [Fact]
    public void TheFirstProcessorsNameFamilyAndModelAreTaken()
    {
        string[] cpuInfo =
        [
            "processor\t: 0", "vendor_id\t: AuthenticAMD", "cpu family\t: 25", "model\t\t: 17", "model name\t: AMD EPYC", "",
            "processor\t: 1", "vendor_id\t: AuthenticAMD", "cpu family\t: 6", "model\t\t: 207", "model name\t: Other", "",
        ];
        Assert.Equal("AMD EPYC (family 25 model 17)", CpuDescription.Describe(cpuInfo));
    }

    [Fact]
    public void MissingFieldsAreLeftOutOrNamedUnknown()
    {
        Assert.Equal("Neoverse", CpuDescription.Describe(["model name\t: Neoverse"]));
        Assert.Equal("CPU model unknown (family 6)", CpuDescription.Describe(["cpu family\t: 6"]));
        Assert.EndsWith("CPU, model unknown", CpuDescription.Describe(null));
    }

    [Fact]
    public void ThisMachineIsDescribed()
    {
        if (File.Exists("/proc/cpuinfo")) Assert.Equal(CpuDescription.Describe(File.ReadLines("/proc/cpuinfo")), CpuDescription.Current);
        Assert.False(string.IsNullOrWhiteSpace(CpuDescription.Current));
    }
}
