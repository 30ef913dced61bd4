using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Microsoft.ML.SwitchablePrecision.Tests.RuntimeOnly;

/// <summary>
/// The prediction runtime (Microsoft.ML.SwitchablePrecision) is an assembly that never references TorchSharp nor the
/// training assembly, read from its metadata; saved models name it as their loader, so its name and version stay.
/// </summary>
public class RuntimeAssemblyTests
{
    private static string[] ReferencedAssemblies(System.Reflection.Assembly assembly)
    {
        using var stream = File.OpenRead(assembly.Location);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        return metadata.AssemblyReferences.Select(h => metadata.GetString(metadata.GetAssemblyReference(h).Name)).Order().ToArray();
    }

    [Fact]
    public void TheRuntimeAssemblyReferencesNeitherTorchSharpNorTheTrainingAssembly()
    {
        var runtime = ReferencedAssemblies(typeof(SwitchablePrecisionTransformer).Assembly);
        Assert.Contains("Microsoft.ML.Data", runtime);
        Assert.DoesNotContain(runtime, name => name.StartsWith("TorchSharp", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(TrainingAssembly.Name, runtime);
    }

    [Fact]
    public void TheTrainingAssemblyReferencesTorchSharpAndTheRuntime()
    {
        var training = ReferencedAssemblies(typeof(SwitchablePrecisionEstimator).Assembly);
        Assert.Contains("TorchSharp", training);
        Assert.Contains("Microsoft.ML.SwitchablePrecision", training);
        Assert.Equal(TrainingAssembly.Name, typeof(SwitchablePrecisionEstimator).Assembly.GetName().Name);
    }

    [Fact]
    public void TheRuntimeKeepsTheLoaderAssemblyNameAndVersionThatSavedModelsRecord()
    {
        var name = typeof(SwitchablePrecisionTransformer).Assembly.GetName();
        Assert.Equal("Microsoft.ML.SwitchablePrecision", name.Name);
        Assert.Equal(new Version(1, 0, 0, 0), name.Version);
    }
}
