using SpNet.Train.Cli;
using SpNet.Train.Training;

namespace SpNet.Train.Reporting;

/// <summary>Everything the stored results of one run say: how it was made, where, how long it took, and per switch.</summary>
/// <param name="Arguments">The command-line arguments, as given.</param>
/// <param name="Settings">The settings they resolved to.</param>
/// <param name="TrainImages">Training images used.</param>
/// <param name="TestImages">Test images evaluated.</param>
/// <param name="Machine">The machine at the end of the run.</param>
/// <param name="LoadAtStart">The 1-minute load average before the run did any work.</param>
/// <param name="WallSeconds">Seconds from start to the end of the measurements.</param>
/// <param name="TrainingSeconds">Seconds from start to the end of training (data loading included).</param>
/// <param name="LatencyRounds">Rounds of the latency measurement.</param>
/// <param name="LatencyImages">Images per round of the latency measurement.</param>
/// <param name="Results">One entry per switch.</param>
internal sealed record RunRecord(string Arguments, TrainSettings Settings, int TrainImages, int TestImages, MachineState Machine,
    double? LoadAtStart, double WallSeconds, double TrainingSeconds, int LatencyRounds, int LatencyImages, IReadOnlyList<SwitchResult> Results)
{
    /// <summary>Whether other work shared the cores during the run (see <see cref="MachineState.WasShared"/>).</summary>
    public bool SharedMachine => MachineState.WasShared(LoadAtStart, Machine.LoadAverage, Machine.TorchThreads, Machine.LogicalCores);
}
