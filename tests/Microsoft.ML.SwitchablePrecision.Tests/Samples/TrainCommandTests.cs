using Spectre.Console;
using SpNet.Train.Cli;

namespace Microsoft.ML.SwitchablePrecision.Tests.Samples;

public sealed class TrainCommandTests : IDisposable
{
    private readonly SampleFiles _files = new();
    private readonly StringWriter _output = new();
    private readonly StringWriter _errors = new();

    public void Dispose() => _files.Dispose();

    private int Run(params string[] args)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(_output),
            Interactive = InteractionSupport.No,
        });
        return TrainCommand.Invoke([.. args, "--output", _files.PathOf("out")], console, _output, _errors);
    }

    private void AssertNoStackTrace()
    {
        Assert.DoesNotContain("   at ", _errors.ToString());
        Assert.DoesNotContain("   at ", _output.ToString());
    }

    [Fact]
    public void Help_explains_every_option()
    {
        Assert.Equal(0, Run("--help"));
        string help = _output.ToString();
        foreach (string option in new[] { "--data", "--images", "--switches", "--epochs", "--quantizer", "--architecture",
                     "--distillation", "--output", "--seed", "--batch-size", "--image-size" })
            Assert.Contains(option, help);
        Assert.Contains("[default: W1A1|W1A2|W1A4|W1A32]", help);
        Assert.Contains("<DoReFa|Lsq|Pact>", help);
        Assert.Contains("dataset-fashion-mnist", help);
    }

    [Fact]
    public void A_wrong_data_path_gives_a_clear_message_and_a_failing_exit_code()
    {
        string missing = _files.PathOf("no-such-folder");
        Assert.Equal(TrainCommand.BadInput, Run("--data", missing));
        Assert.StartsWith($"error: Data folder '{missing}' does not exist", _errors.ToString());
        AssertNoStackTrace();
        Assert.False(Directory.Exists(_files.PathOf("out")));
    }

    [Fact]
    public void A_wrong_images_path_an_empty_folder_and_a_non_image_file_give_clear_messages()
    {
        Assert.Equal(TrainCommand.BadInput, Run("--images", _files.PathOf("missing")));
        Assert.Contains("does not exist: expected a folder of class sub-folders", _errors.ToString());

        Directory.CreateDirectory(_files.PathOf("empty"));
        Assert.Equal(TrainCommand.BadInput, Run("--images", _files.PathOf("empty")));
        Assert.Contains("holds no class sub-folders", _errors.ToString());

        _files.WriteGreyPng(Path.Combine("mixed", "a", "1.png"));
        string text = _files.WriteText(Path.Combine("mixed", "b", "readme.md"), "# not an image");
        Assert.Equal(TrainCommand.BadInput, Run("--images", _files.PathOf("mixed")));
        Assert.Contains($"'{text}' is not an image file", _errors.ToString());
        AssertNoStackTrace();
    }

    [Fact]
    public void Bad_option_values_are_rejected_before_any_work()
    {
        Assert.NotEqual(0, Run("--switches", "W1A1,W9A2"));
        Assert.Contains("--switches: 'W9A2' is not a precision", _errors.ToString());

        Assert.NotEqual(0, Run("--switches", "W1A1,w1a1"));
        Assert.Contains("--switches: W1A1 is listed twice.", _errors.ToString());

        Assert.NotEqual(0, Run("--epochs", "0"));
        Assert.Contains("--epochs must be at least 1.", _errors.ToString());

        Assert.NotEqual(0, Run("--warm-start", "1"));
        Assert.Contains("--warm-start must be at least 0 and below 1.", _errors.ToString());

        Assert.NotEqual(0, Run("--data", _files.Root, "--images", _files.Root));
        Assert.Contains("Give either --data (IDX files) or --images (class folders), not both.", _errors.ToString());
        AssertNoStackTrace();
        Assert.False(Directory.Exists(_files.PathOf("out")));
    }
}
