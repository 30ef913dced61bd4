using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Native;

/// <summary>
/// Entry points call <see cref="EnsureAvailable()"/> before their first torch call, so a missing or unloadable native
/// TorchSharp surfaces as one <see cref="TorchSharpLoadException"/> that names the cause, instead of a
/// <c>TypeInitializationException</c> from deep inside the first tensor operation.
/// </summary>
internal static class TorchSharpRuntime
{
    private static readonly Lazy<Exception?> LoadFailure = new(TryLoad, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <exception cref="TorchSharpLoadException">TorchSharp's native libraries cannot be loaded.</exception>
    public static void EnsureAvailable()
    {
        if (LoadFailure.Value is { } failure) throw new TorchSharpLoadException(Describe(failure), failure);
    }

    /// <summary>Checks, then returns <paramref name="moduleName"/>: for constructors whose base constructor calls torch.</summary>
    /// <exception cref="TorchSharpLoadException">TorchSharp's native libraries cannot be loaded.</exception>
    public static string EnsureAvailable(string moduleName)
    {
        EnsureAvailable();
        return moduleName;
    }

    private static Exception? TryLoad()
    {
        try
        {
            _ = get_num_threads();
            return null;
        }
        catch (Exception e) when (e is TypeInitializationException or DllNotFoundException or NotSupportedException)
        {
            return e;
        }
    }

    private static string Describe(Exception failure)
    {
        var copy = TorchSharpNativeLoader.ApplicationCopy;
        string cause;
        if (copy is null)
            cause = $"no {LibTorchSharpPatch.FileName} was found next to the application: reference the TorchSharp-cpu package (Microsoft.ML.SwitchablePrecision.Training brings it) and run the app from its build or publish output";
        else if (LoaderError(copy) is { } error)
            cause = error.Contains(LibTorchSharpPatch.MissingVersion, StringComparison.Ordinal)
                ? $"the system libstdc++ lacks {LibTorchSharpPatch.MissingVersion}, which {copy} asks for, and the fix did not take effect ({TorchSharpNativeLoader.Outcome})"
                : $"the dynamic loader rejected {copy}: {error}";
        else
            cause = $"TorchSharp failed to initialise: {Innermost(failure).Message}";
        return $"TorchSharp's native library could not be loaded: {cause}. See the README section 'Troubleshooting: TorchSharp does not load'.";
    }

    private static string? LoaderError(string path)
    {
        try
        {
            NativeLibrary.Free(NativeLibrary.Load(path));
            return null;
        }
        catch (DllNotFoundException e)
        {
            return e.Message;
        }
    }

    private static Exception Innermost(Exception e) => e.InnerException is null ? e : Innermost(e.InnerException);
}
