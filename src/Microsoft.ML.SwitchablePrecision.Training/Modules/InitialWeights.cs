using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Modules;

/// <summary>
/// Where quantized layers draw their initial weights from. Outside a <see cref="Seeded"/> scope that is TorchSharp's
/// global generator; inside one it is a private generator of the current thread, so a network built with a seed gets
/// the same weights however many other threads draw random numbers meanwhile (ML.NET may fit pipelines in parallel,
/// xunit runs test classes in parallel). A private generator with seed s draws exactly what the global one draws
/// after <c>torch.manual_seed(s)</c>.
/// </summary>
internal static class InitialWeights
{
    [ThreadStatic] private static Generator? t_generator;

    /// <summary>Until the result is disposed, layers built on this thread draw from a generator seeded with <paramref name="seed"/>.</summary>
    public static IDisposable Seeded(long seed) => new Scope(new Generator(unchecked((ulong)seed)));

    /// <summary>He initialisation for ReLU networks, fan-out mode: normal with std sqrt(2 / (out channels x kernel area)).</summary>
    public static void KaimingNormalFanOut(Tensor weight)
    {
        var shape = weight.shape;
        long fanOut = shape[0];
        for (int d = 2; d < shape.Length; d++) fanOut *= shape[d];
        using var noGrad = no_grad();
        weight.normal_(0, Math.Sqrt(2.0) / Math.Sqrt(fanOut), t_generator);
    }

    /// <summary>Uniform in [-<paramref name="bound"/>, <paramref name="bound"/>].</summary>
    public static void Uniform(Tensor tensor, double bound)
    {
        using var noGrad = no_grad();
        tensor.uniform_(-bound, bound, t_generator);
    }

    private sealed class Scope : IDisposable
    {
        private readonly Generator? _previous = t_generator;
        private readonly Generator _generator;
        private bool _disposed;

        public Scope(Generator generator)
        {
            _generator = generator;
            t_generator = generator;
        }

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            t_generator = _previous;
            _generator.Dispose();
        }
    }
}
