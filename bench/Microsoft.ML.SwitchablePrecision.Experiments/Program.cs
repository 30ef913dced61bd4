using Microsoft.ML.SwitchablePrecision.Experiments.Cli;
using Microsoft.ML.SwitchablePrecision.Experiments.Running;

// The paper-claim experiment runner: SP-Net switches versus dedicated models, with and without self-distillation.
// See RunnerSettings.Usage and docs/results/README.md.
RunnerSettings settings;
try
{
    settings = RunnerSettings.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(RunnerSettings.Usage);
    return 2;
}

try
{
    using var interrupt = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        interrupt.Cancel();
    };
    return ExperimentCommands.Execute(settings, Console.Out, Directory.GetCurrentDirectory(), interrupt.Token);
}
catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("Interrupted: finished cells are cached; the interrupted cell runs again next time.");
    return 130;
}
