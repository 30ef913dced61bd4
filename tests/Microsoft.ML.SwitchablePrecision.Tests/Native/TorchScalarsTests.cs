using System.Reflection;
using Microsoft.ML.SwitchablePrecision.Native;

namespace Microsoft.ML.SwitchablePrecision.Tests.Native;

/// <summary>
/// TorchSharp 0.107 can let the GC free a Scalar created by an implicit conversion while libtorch still reads it
/// (<c>TorchScalars</c>; docs/training.md, "TorchSharp scalars"). The library passes only scalars that stay reachable:
/// this test reads the IL of every library method and fails on any implicit conversion to a Scalar and on any call of
/// a TorchSharp method that creates one of its own (found the same way in TorchSharp's IL, such as <c>add_(tensor)</c>
/// with its alpha of 1).
/// </summary>
public class TorchScalarsTests
{
    [Fact]
    public void NoLibraryCodePassesTorchSharpAScalarItCanLose()
    {
        // The TorchSharp methods that create a Scalar of their own and pass it on (add_(y) creates its alpha of 1, ...).
        var torchSharp = typeof(TorchSharp.Scalar).Assembly;
        var creating = CallSites.MethodsOf(torchSharp).Where(m => m.IsPublic && CallSites.CalledBy(m).Any(CreatesScalar))
            .ToHashSet();
        Assert.Contains(creating, m => CallSites.Describe(m) == "Tensor.add_(Tensor)");
        var library = typeof(TorchScalars).Assembly;
        var offending = CallSites.MethodsOf(library)
            .SelectMany(m => CallSites.CalledBy(m)
                .Where(callee => callee.Name == "op_Implicit" && ReturnsScalar(callee) || creating.Contains(callee))
                .Select(callee => $"{m.DeclaringType?.FullName}.{m.Name} calls {CallSites.Describe(callee)}"))
            .Distinct().ToArray();
        Assert.True(offending.Length == 0, "Pass a TorchScalars constant or a `using var s = value.ToScalar()` instead:\n" + string.Join("\n", offending));
    }

    private static bool CreatesScalar(MethodBase callee) => callee.Name is "op_Implicit" or "ToScalar" && ReturnsScalar(callee);

    private static bool ReturnsScalar(MethodBase method) => method is MethodInfo info && info.ReturnType == typeof(TorchSharp.Scalar);
}
