using Spectre.Console;
using SpNet.Train.Cli;

var console = AnsiConsole.Console;
// Spectre assumes 80 columns when output goes to a file; the per-switch table needs more.
if (Console.IsOutputRedirected) console.Profile.Width = 200;
return TrainCommand.Invoke(args, console, Console.Out, Console.Error);
