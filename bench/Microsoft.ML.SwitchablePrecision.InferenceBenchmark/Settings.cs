using System.Globalization;

namespace Microsoft.ML.SwitchablePrecision.InferenceBenchmark;

/// <summary>Command line of the inference benchmark.</summary>
internal sealed record Settings(ArchitectureKind Architecture, QuantizerKind Quantizer, int Rounds, int Warmup, int[] Batches, int[] Threads, double MinimumMilliseconds, bool Profile = false, bool CpuTime = false, double Width = 1.0, int? BitSerialPlanes = null, IReadOnlySet<Precision>? Switches = null)
{
    public const string Usage =
        "InferenceBenchmark [--architecture ResNet20|ResNet18|MobileNetV2] [--width W] [--bit-serial-planes N] [--quantizer DoReFa|Pact|Lsq] [--rounds N] [--warmup N] [--batches 1,8,64] [--threads 1,2] [--min-ms 20] [--switches W1A1,W1A2] [--profile] [--cpu-time]";

    public static Settings Parse(string[] args)
    {
        var settings = new Settings(ArchitectureKind.ResNet20, QuantizerKind.DoReFa, 11, 2, [1, 8, 64], [1, 2], 20);
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] is "--profile" or "--cpu-time")
            {
                settings = args[i] == "--profile" ? settings with { Profile = true } : settings with { CpuTime = true };
                continue;
            }
            string value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value. Usage: {Usage}");
            settings = args[i++] switch
            {
                "--architecture" => settings with { Architecture = Enum.TryParse<ArchitectureKind>(value, ignoreCase: true, out var kind) && Enum.IsDefined(kind)
                    ? kind : throw new ArgumentException($"--architecture takes ResNet20, ResNet18 or MobileNetV2, got '{value}'.") },
                "--bit-serial-planes" => settings with { BitSerialPlanes = int.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture) },
                "--width" => settings with { Width = double.Parse(value, CultureInfo.InvariantCulture) },
                "--quantizer" => settings with { Quantizer = Enum.Parse<QuantizerKind>(value, ignoreCase: true) },
                "--rounds" => settings with { Rounds = Positive(value, "--rounds") },
                "--warmup" => settings with { Warmup = int.Parse(value, CultureInfo.InvariantCulture) },
                "--batches" => settings with { Batches = value.Split(',').Select(v => Positive(v, "--batches")).ToArray() },
                "--threads" => settings with { Threads = value.Split(',').Select(v => Positive(v, "--threads")).ToArray() },
                "--switches" => settings with { Switches = value.Split(',').Select(Precision.Parse).ToHashSet() },
                "--min-ms" => settings with { MinimumMilliseconds = double.Parse(value, CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"Unknown option {args[i - 1]}. Usage: {Usage}"),
            };
        }
        return settings;
    }

    private static int Positive(string text, string option) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0
            ? n : throw new ArgumentException($"{option} takes positive integers, got '{text}'.");
}
