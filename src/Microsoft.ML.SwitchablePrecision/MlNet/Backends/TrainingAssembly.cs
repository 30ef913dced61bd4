using System.Reflection;
using Microsoft.ML.SwitchablePrecision.Persistence;

namespace Microsoft.ML.SwitchablePrecision;

/// <summary>What the training assembly supplies to the runtime: a full model read into a TorchSharp network.</summary>
internal interface ITrainingBackendFactory
{
    /// <summary>Reads a full model file (<see cref="ModelFile"/>) into a backend with the TorchSharp network.</summary>
    (ModelMetadata Metadata, INetworkBackend Backend) Read(Stream source);
}

/// <summary>
/// Finds the training assembly (Microsoft.ML.SwitchablePrecision.Training) by name, once per process, so that a model
/// loads with the TorchSharp network when the application references the training package and on the stored weights'
/// plans alone when it does not. No registration call: the runtime never references the training assembly.
/// </summary>
internal static class TrainingAssembly
{
    /// <summary>The training assembly's name.</summary>
    public const string Name = StoredNetworkBackend.TrainingPackage;

    private const string FactoryType = "Microsoft.ML.SwitchablePrecision.TorchBackendFactory";

    private static readonly Lazy<ITrainingBackendFactory?> Found = new(Find, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The training assembly's factory, or null when the application does not have it.</summary>
    public static ITrainingBackendFactory? Factory => Found.Value;

    private static ITrainingBackendFactory? Find()
    {
        Assembly assembly;
        try
        {
            assembly = Assembly.Load(new AssemblyName(Name));
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        var type = assembly.GetType(FactoryType, throwOnError: false)
            ?? throw new InvalidOperationException($"{assembly.FullName} has no {FactoryType}: it does not match this Microsoft.ML.SwitchablePrecision ({typeof(TrainingAssembly).Assembly.FullName}).");
        return (ITrainingBackendFactory)Activator.CreateInstance(type, nonPublic: true)!;
    }
}
