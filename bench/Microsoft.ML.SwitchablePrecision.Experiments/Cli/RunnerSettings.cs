using System.Globalization;

namespace Microsoft.ML.SwitchablePrecision.Experiments.Cli;

/// <summary>The parsed command line: a command, an optional experiment name and the options.</summary>
internal sealed record RunnerSettings
{
    /// <summary>run, list, report or measure.</summary>
    public required string Command { get; init; }

    /// <summary>The experiment name given to run or list (list defaults to all).</summary>
    public string? Experiment { get; init; }

    /// <summary>Small subset, 1 epoch, narrow network, separate output folder.</summary>
    public bool Quick { get; init; }

    /// <summary>Seeds given with --seeds, or null for each experiment's default.</summary>
    public IReadOnlyList<int>? Seeds { get; init; }

    /// <summary>Epochs given with --epochs, or null for the default of the mode.</summary>
    public int? Epochs { get; init; }

    /// <summary>The Fashion-MNIST folder given with --data, or null.</summary>
    public string? Data { get; init; }

    /// <summary>The output folder given with --out, or null for docs/results of the checkout.</summary>
    public string? Out { get; init; }

    /// <summary>Torch threads.</summary>
    public int Threads { get; init; } = 2;

    /// <summary>Width multiplier given with --width, or null for the default of the mode.</summary>
    public double? Width { get; init; }

    /// <summary>Training images kept (class-balanced), or null for the default of the mode.</summary>
    public int? TrainLimit { get; init; }

    /// <summary>Test images kept (class-balanced), or null for the default of the mode.</summary>
    public int? TestLimit { get; init; }

    /// <summary>Timed steps per configuration of the measure command.</summary>
    public int Steps { get; init; } = 100;

    /// <summary>The usage text.</summary>
    public const string Usage = """
        Usage:
          run <family1|family2|quantizers|distillation|all> [--quick] [--seeds 1,2] [--epochs N] [--data <folder>] [--out <folder>]
                                                            [--threads N] [--width W] [--train-limit N] [--test-limit N]
          list [<experiment>] [--quick] [--seeds 1,2] [--epochs N]
          report [--quick] [--out <folder>]
          measure --data <folder> [--steps N] [--threads N]
        --data is the folder holding the four Fashion-MNIST IDX files (plain or .gz); --quick uses the repository's
        data/fashion-mnist-subset and writes under <out>/quick.
        """;

    /// <summary>Parses <paramref name="args"/>.</summary>
    /// <exception cref="ArgumentException">Unknown command or option, a missing or malformed value; the message names it.</exception>
    public static RunnerSettings Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0) throw new ArgumentException("No command given: expected run, list, report or measure.");
        string command = args[0].ToLowerInvariant();
        if (command is not ("run" or "list" or "report" or "measure"))
            throw new ArgumentException($"Unknown command '{args[0]}': expected run, list, report or measure.");
        var settings = new RunnerSettings { Command = command };
        int i = 1;
        if (command is "run" or "list" && i < args.Count && !args[i].StartsWith("--", StringComparison.Ordinal))
            settings = settings with { Experiment = args[i++] };
        if (command == "run" && settings.Experiment is null)
            throw new ArgumentException("run needs an experiment name: family1, family2, quantizers, distillation or all.");
        for (; i < args.Count; i++)
        {
            string option = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"Option {option} needs a value.");
            settings = option switch
            {
                "--quick" => settings with { Quick = true },
                "--seeds" => settings with { Seeds = ParseSeeds(Value()) },
                "--epochs" => settings with { Epochs = Positive(option, Value()) },
                "--data" => settings with { Data = Value() },
                "--out" => settings with { Out = Value() },
                "--threads" => settings with { Threads = Positive(option, Value()) },
                "--width" => settings with { Width = PositiveDouble(option, Value()) },
                "--train-limit" => settings with { TrainLimit = Positive(option, Value()) },
                "--test-limit" => settings with { TestLimit = Positive(option, Value()) },
                "--steps" => settings with { Steps = Positive(option, Value()) },
                _ => throw new ArgumentException($"Unknown option '{option}' for {command}."),
            };
        }
        if (command == "measure" && settings.Data is null)
            throw new ArgumentException("measure needs --data <folder>: the folder holding the full Fashion-MNIST IDX files.");
        return settings;
    }

    private static IReadOnlyList<int> ParseSeeds(string text)
    {
        var seeds = new List<int>();
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out int seed) || seed < 0)
                throw new ArgumentException($"--seeds '{text}' is not valid: expected non-negative integers separated by commas, such as 1,2.");
            if (!seeds.Contains(seed)) seeds.Add(seed);
        }
        return seeds;
    }

    private static int Positive(string option, string text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value >= 1
            ? value
            : throw new ArgumentException($"{option} '{text}' is not valid: expected a whole number of at least 1.");

    private static double PositiveDouble(string option, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value) && value > 0
            ? value
            : throw new ArgumentException($"{option} '{text}' is not valid: expected a number above 0.");
}
