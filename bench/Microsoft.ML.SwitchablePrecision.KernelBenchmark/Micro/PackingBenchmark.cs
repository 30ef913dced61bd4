using System.Globalization;
using Microsoft.ML.SwitchablePrecision.Kernels;

namespace Microsoft.ML.SwitchablePrecision.KernelBenchmark.Micro;

/// <summary>
/// Packing levels into bit-plane columns (what the engine's im2col does per output pixel before the bit-serial GEMM):
/// the vectorised <see cref="BitPlaneColumns.PackColumn"/> against the per-bit loop, in million levels per second.
/// </summary>
internal static class PackingBenchmark
{
    private const int Columns = 256;

    public static void Run(Settings settings)
    {
        Console.WriteLine("Bit-plane column packing, 1 thread, million levels per second (256 columns per call)");
        Console.WriteLine();
        Console.WriteLine("| K | bits | per-bit loop | PackColumn | ratio |");
        Console.WriteLine("|---:|---:|---:|---:|---:|");
        var random = new Random(1);
        foreach (int depth in new[] { 144, 288, 576 })
            foreach (int bits in new[] { 1, 2, 4 })
            {
                var levels = new byte[Columns * depth];
                for (int i = 0; i < levels.Length; i++) levels[i] = (byte)random.Next(0, 1 << bits);
                int perColumn = bits * BitRows.WordsFor(depth);
                var words = new ulong[Columns * perColumn];
                var timed = new List<TimedCall>
                {
                    new("loop", () => Pack(levels, depth, bits, words, perColumn, reference: true)),
                    new("vector", () => Pack(levels, depth, bits, words, perColumn, reference: false)),
                };
                foreach (var call in timed) call.Calibrate(settings.MinRepMs, settings.Warmup);
                for (int rep = 0; rep < settings.Reps; rep++)
                    for (int v = 0; v < timed.Count; v++) timed[(v + rep) % timed.Count].Measure();
                double count = (double)Columns * depth;
                double loop = count / (timed[0].Median() * 1e3), vector = count / (timed[1].Median() * 1e3);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {depth} | {bits} | {loop:F0} | {vector:F0} | {vector / loop:F1}x |"));
            }
    }

    private static void Pack(byte[] levels, int depth, int bits, ulong[] words, int perColumn, bool reference)
    {
        for (int p = 0; p < Columns; p++)
        {
            var column = levels.AsSpan(p * depth, depth);
            var target = words.AsSpan(p * perColumn, perColumn);
            if (reference) BitPlaneColumns.PackColumnReference(column, bits, target);
            else BitPlaneColumns.PackColumn(column, bits, target);
        }
    }
}
