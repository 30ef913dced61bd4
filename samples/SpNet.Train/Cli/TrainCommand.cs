using System.CommandLine;
using System.CommandLine.Parsing;
using Microsoft.ML.SwitchablePrecision;
using Microsoft.ML.SwitchablePrecision.Training;
using Spectre.Console;
using SpNet.Train.Data;
using SpNet.Train.Training;

namespace SpNet.Train.Cli;

/// <summary>The command line of the main job: options, their help text and validation.</summary>
internal static class TrainCommand
{
    /// <summary>Exit code for unusable data or arguments.</summary>
    public const int BadInput = 2;

    /// <summary>Exit code for any other failure.</summary>
    public const int Failed = 1;

    /// <summary>Environment variable that lets unexpected errors show their stack trace.</summary>
    public const string DebugVariable = "SPNET_DEBUG";

    /// <summary>Parses <paramref name="args"/> and runs the command; help and parse errors go to the given writers.</summary>
    public static int Invoke(string[] args, IAnsiConsole console, TextWriter output, TextWriter errors) =>
        Create(console, errors).Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = errors });

    /// <summary>Builds the root command; its action trains with <see cref="TrainJob"/> and writes to <paramref name="console"/>.</summary>
    public static RootCommand Create(IAnsiConsole console, TextWriter errors)
    {
        var defaults = new TrainSettings();
        var data = new Option<DirectoryInfo?>("--data")
        {
            Description = "Folder holding the four IDX files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, " +
                          "t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz), e.g. the full Fashion-MNIST that " +
                          "'apt-get install dataset-fashion-mnist' installs. Default: the 6,000/1,000-image subset shipped with the sample.",
            HelpName = "folder",
        };
        var images = new Option<DirectoryInfo?>("--images")
        {
            Description = "Folder of class sub-folders of image files (Model Builder's layout), optionally split into train/ and test/; " +
                          "without that split 20% of each class is held out for testing.",
            HelpName = "folder",
        };
        var switches = new Option<IReadOnlyList<Precision>>("--switches")
        {
            Description = "Comma-separated precisions to train, W<weight bits>A<activation bits>, bits 1-8 or 32.",
            HelpName = "list",
            DefaultValueFactory = _ => defaults.Switches,
            CustomParser = ParseSwitches,
        };
        var epochs = new Option<int>("--epochs")
        {
            Description = "Passes over the training data.",
            DefaultValueFactory = _ => defaults.Epochs,
        };
        var batchSize = new Option<int>("--batch-size")
        {
            Description = "Images per training step.",
            DefaultValueFactory = _ => defaults.BatchSize,
        };
        var quantizer = new Option<QuantizerKind>("--quantizer")
        {
            Description = "Quantizer family: DoReFa (fixed ranges), Pact (learned activation clipping) or Lsq (learned step sizes).",
            DefaultValueFactory = _ => defaults.Quantizer,
        };
        var architecture = new Option<ArchitectureKind>("--architecture")
        {
            Description = "Network shape: ResNet20 (fast), ResNet18 or MobileNetV2.",
            DefaultValueFactory = _ => defaults.Architecture,
        };
        var width = new Option<double>("--width")
        {
            Description = "Channel width multiplier of the architecture (1 = published widths; smaller trains faster).",
            DefaultValueFactory = _ => defaults.Width,
        };
        var distillation = new Option<DistillationMode>("--distillation")
        {
            Description = "How quantized switches learn: Off (labels only), FromTeacher (from the most precise switch) or " +
                          "Recursive (each from the next more precise switch).",
            DefaultValueFactory = _ => defaults.Distillation,
        };
        var lossReduction = new Option<SwitchLossReduction>("--loss-reduction")
        {
            Description = "How the switch losses combine: Mean (default; on full Fashion-MNIST never worse and up to " +
                          "4.7 points better, see docs/results/README.md) or Sum (the papers' convention).",
            DefaultValueFactory = _ => defaults.LossReduction,
        };
        var warmStart = new Option<double>("--warm-start")
        {
            Description = "Fraction of the steps, at least 0 and below 1, trained as a plain float network before the " +
                          "switches train jointly (0 turns it off; see docs/training.md).",
            HelpName = "fraction",
            DefaultValueFactory = _ => defaults.WarmStart,
        };
        var imageSize = new Option<int>("--image-size")
        {
            Description = "Side length in pixels the images are resized to.",
            DefaultValueFactory = _ => defaults.ImageSize,
        };
        var output = new Option<DirectoryInfo>("--output")
        {
            Description = "Folder for model.zip, tradeoff.png and the PNG cache of IDX data.",
            HelpName = "folder",
            DefaultValueFactory = _ => new DirectoryInfo(defaults.OutputFolder),
        };
        var results = new Option<DirectoryInfo?>("--results")
        {
            Description = "Folder for results.md and results.json (settings, machine, times and the per-switch table). Default: the --output folder.",
            HelpName = "folder",
        };
        var seed = new Option<int>("--seed")
        {
            Description = "Seed of the random initialisation, shuffling and hold-out split.",
            DefaultValueFactory = _ => defaults.Seed,
        };
        RequirePositive(epochs);
        RequirePositive(batchSize);
        width.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() is not (> 0 and <= 4)) r.AddError("--width must be above 0 and at most 4.");
        });
        warmStart.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() is not (>= 0 and < 1)) r.AddError("--warm-start must be at least 0 and below 1.");
        });
        imageSize.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 8 or > 512) r.AddError("--image-size must be between 8 and 512.");
        });

        var command = new RootCommand(
            "Trains a switchable-precision network (SP-Net) on images and reports, for every precision switch, " +
            "accuracy, size, operation counts and latency; writes model.zip and a PNG of the accuracy/cost trade-off.")
        {
            data, images, switches, epochs, batchSize, quantizer, architecture, width, distillation, lossReduction, warmStart, imageSize, output, results, seed,
        };
        command.Validators.Add(r =>
        {
            if (r.GetResult(data) is not null && r.GetResult(images) is not null)
                r.AddError("Give either --data (IDX files) or --images (class folders), not both.");
        });
        command.SetAction(parse =>
        {
            var settings = new TrainSettings
            {
                DataFolder = parse.GetValue(data)?.FullName,
                ImagesFolder = parse.GetValue(images)?.FullName,
                Switches = parse.GetValue(switches)!,
                Epochs = parse.GetValue(epochs),
                BatchSize = parse.GetValue(batchSize),
                Quantizer = parse.GetValue(quantizer),
                Architecture = parse.GetValue(architecture),
                Width = parse.GetValue(width),
                Distillation = parse.GetValue(distillation),
                LossReduction = parse.GetValue(lossReduction),
                WarmStart = parse.GetValue(warmStart),
                ImageSize = parse.GetValue(imageSize),
                OutputFolder = parse.GetValue(output)!.FullName,
                ResultsFolder = parse.GetValue(results)?.FullName,
                Arguments = string.Join(" ", parse.Tokens.Select(t => t.Value)),
                Seed = parse.GetValue(seed),
            };
            try
            {
                TrainJob.Run(settings, console);
                return 0;
            }
            catch (DataSourceException e)
            {
                errors.WriteLine($"error: {e.Message}");
                return BadInput;
            }
            catch (Exception e) when (Environment.GetEnvironmentVariable(DebugVariable) is null)
            {
                errors.WriteLine($"error: {e.GetType().Name}: {e.Message}");
                errors.WriteLine($"(set {DebugVariable}=1 to see where it happened)");
                return Failed;
            }
        });
        return command;
    }

    private static IReadOnlyList<Precision> ParseSwitches(ArgumentResult result)
    {
        var list = new List<Precision>();
        foreach (var token in result.Tokens)
            foreach (string part in token.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!Precision.TryParse(part, out var precision))
                {
                    result.AddError($"--switches: '{part}' is not a precision: expected W<bits>A<bits> such as W1A2 (bits 1 to 8, or 32).");
                    return [];
                }
                if (list.Contains(precision))
                {
                    result.AddError($"--switches: {precision} is listed twice.");
                    return [];
                }
                list.Add(precision);
            }
        if (list.Count == 0) result.AddError("--switches: expected at least one precision, such as W1A1,W1A32.");
        return list;
    }

    private static void RequirePositive(Option<int> option) => option.Validators.Add(r =>
    {
        if (r.GetValueOrDefault<int>() < 1) r.AddError($"{option.Name} must be at least 1.");
    });
}
