using System.Globalization;

namespace Microsoft.ML.SwitchablePrecision.KernelBenchmark;

/// <summary>Command-line settings: what to run and how long to time it.</summary>
internal sealed record Settings(int Reps, int Warmup, double MinRepMs, string Mode, double Width = 1)
{
    public static Settings Parse(string[] args)
    {
        var settings = new Settings(15, 3, 2.0, "all");
        for (int i = 0; i < args.Length; i += 2)
        {
            string value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"Option {args[i]} needs a value.");
            settings = args[i] switch
            {
                "--reps" => settings with { Reps = PositiveInt(args[i], value) },
                "--warmup" => settings with { Warmup = int.Parse(value, CultureInfo.InvariantCulture) },
                "--min-rep-ms" => settings with { MinRepMs = double.Parse(value, CultureInfo.InvariantCulture) },
                "--mode" => settings with { Mode = CheckMode(value) },
                "--width" => settings with { Width = PositiveNumber(args[i], value) },
                _ => throw new ArgumentException($"Unknown option {args[i]}: expected --mode, --width, --reps, --warmup or --min-rep-ms."),
            };
        }
        return settings;
    }

    private static int PositiveInt(string option, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0
            ? n
            : throw new ArgumentException($"Option {option} expects a positive integer, got '{value}'.");

    private static double PositiveNumber(string option, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) && x > 0 && double.IsFinite(x)
            ? x
            : throw new ArgumentException($"Option {option} expects a positive number, got '{value}'.");

    private static string CheckMode(string value) => value is "kernels" or "network" or "micro" or "selection" or "channel-masks" or "wide-channel-masks" or "channel-masks-64" or "float-taps" or "sign-panel" or "int8-avx2" or "int8-grouped" or "bit-serial-forms" or "level-epilogue" or "all"
        ? value
        : throw new ArgumentException($"Option --mode expects kernels, network, micro, selection, channel-masks, wide-channel-masks, channel-masks-64, float-taps, sign-panel, int8-avx2, int8-grouped, bit-serial-forms, level-epilogue or all, got '{value}'.");
}
