using Spectre.Console;
using SpNet.Train.Cli;

return TrainCommand.Create(AnsiConsole.Console, Console.Error).Parse(args).Invoke();
