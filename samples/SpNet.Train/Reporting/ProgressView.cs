using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.SwitchablePrecision.Training;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace SpNet.Train.Reporting;

/// <summary>
/// Shows training progress: a live table (epoch, step, per-switch loss and accuracy, time left) on an interactive
/// terminal, plain lines (four per epoch) when output is redirected.
/// </summary>
internal static class ProgressView
{
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>Runs <paramref name="work"/>, handing it the callback that displays its progress.</summary>
    public static T Run<T>(IAnsiConsole console, Func<Action<TrainingProgress>, T> work)
    {
        if (!console.Profile.Capabilities.Interactive || Console.IsOutputRedirected)
            return work(p =>
            {
                // Epoch ends are reported twice (after the last step, then with validation): print the second one.
                bool quarter = p.Step % Math.Max(1, p.StepsPerEpoch / 4) == 0 && p.Step < p.StepsPerEpoch;
                if (p.IsEpochEnd || quarter) console.WriteLine(PlainLine(p));
            });

        T result = default!;
        var sinceRefresh = Stopwatch.StartNew();
        console.Live(new Text("Preparing the training data...")).AutoClear(false).Start(context =>
        {
            result = work(p =>
            {
                if (!p.IsEpochEnd && sinceRefresh.Elapsed < RefreshInterval) return;
                sinceRefresh.Restart();
                context.UpdateTarget(Render(p));
                context.Refresh();
            });
        });
        return result;
    }

    /// <summary>One line: epoch, step, each switch's running loss and accuracy, time left.</summary>
    public static string PlainLine(TrainingProgress p)
    {
        string switches = string.Join(" | ", p.Train.Select(s => double.IsNaN(s.Accuracy)
            ? $"{s.Precision} {Idle(p)}"
            : string.Create(CultureInfo.InvariantCulture, $"{s.Precision} loss {s.Loss:0.000} acc {100 * s.Accuracy:0.0}%")));
        return string.Create(CultureInfo.InvariantCulture,
            $"epoch {p.Epoch}/{p.Epochs} step {p.Step}/{p.StepsPerEpoch} | {switches} | {Clock(p.EstimatedRemaining)} left");
    }

    /// <summary>The live table: one row per switch under a heading with epoch, step and time.</summary>
    public static IRenderable Render(TrainingProgress p)
    {
        var heading = new Text(string.Create(CultureInfo.InvariantCulture,
            $"epoch {p.Epoch}/{p.Epochs}  step {p.Step}/{p.StepsPerEpoch}  elapsed {Clock(p.Elapsed)}  left {Clock(p.EstimatedRemaining)}"));
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("Switch").AddColumn(new TableColumn("Train loss").RightAligned())
            .AddColumn(new TableColumn("Train accuracy").RightAligned());
        foreach (var s in p.Train)
        {
            if (double.IsNaN(s.Accuracy)) table.AddRow(s.Precision.ToString(), Idle(p), Idle(p));
            else table.AddRow(s.Precision.ToString(), s.Loss.ToString("0.000", CultureInfo.InvariantCulture),
                (100 * s.Accuracy).ToString("0.0", CultureInfo.InvariantCulture) + "%");
        }
        double done = ((p.Epoch - 1) * (double)p.StepsPerEpoch + p.Step) / ((double)p.Epochs * p.StepsPerEpoch);
        var bar = new BreakdownChart().Width(60).HideTags()
            .AddItem("done", Math.Max(done, 1e-6), Color.Green).AddItem("left", Math.Max(1 - done, 1e-6), Color.Grey);
        return new Rows(heading, table, bar);
    }

    // A switch without metrics has not trained yet this epoch: during the warm start only the float network does.
    private static string Idle(TrainingProgress p) => p.IsFullPrecisionWarmStart ? "float warm start" : "not trained yet";

    private static string Clock(TimeSpan t) =>
        t.TotalHours >= 1 ? t.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : t.ToString(@"mm\:ss", CultureInfo.InvariantCulture);
}
