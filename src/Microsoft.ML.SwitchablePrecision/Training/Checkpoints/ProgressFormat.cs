namespace Microsoft.ML.SwitchablePrecision.Training.Checkpoints;

/// <summary>
/// Binary form of <see cref="CheckpointProgress"/>: counters, then every end-of-epoch report; from checkpoint version
/// 2 on, the steps into the unfinished epoch and, when there are any, its running metrics.
/// </summary>
internal static class ProgressFormat
{
    public static void Write(BinaryWriter writer, CheckpointProgress progress)
    {
        writer.Write(progress.StepsDone);
        writer.Write(progress.TrainingTime.Ticks);
        writer.Write(progress.Elapsed.Ticks);
        writer.Write(progress.Epochs.Count);
        foreach (var epoch in progress.Epochs)
        {
            writer.Write(epoch.Epoch);
            writer.Write(epoch.Epochs);
            writer.Write(epoch.StepsPerEpoch);
            writer.Write(epoch.LearningRate);
            writer.Write(epoch.Elapsed.Ticks);
            writer.Write(epoch.EstimatedRemaining.Ticks);
            WriteMetrics(writer, epoch.Train);
            writer.Write(epoch.Validation is not null);
            if (epoch.Validation is not null) WriteMetrics(writer, epoch.Validation);
        }
        writer.Write(progress.StepsIntoEpoch);
        if (progress.StepsIntoEpoch == 0) return;
        var running = progress.Running ?? throw new InvalidOperationException("A checkpoint within an epoch needs its running metrics.");
        writer.Write(running.LossSums.Length);
        for (int i = 0; i < running.LossSums.Length; i++)
        {
            writer.Write(running.LossSums[i]);
            writer.Write(running.Correct[i]);
            writer.Write(running.Images[i]);
        }
    }

    /// <exception cref="InvalidDataException">The reports do not match the network's switches.</exception>
    public static CheckpointProgress Read(BinaryReader reader, IReadOnlyList<Precision> switches, int version)
    {
        long steps = reader.ReadInt64();
        var trainingTime = new TimeSpan(reader.ReadInt64());
        var elapsed = new TimeSpan(reader.ReadInt64());
        int count = reader.ReadInt32();
        if (count < 0 || count > 1_000_000) throw new InvalidDataException($"The checkpoint claims {count} finished epochs.");
        var epochs = new List<TrainingProgress>(count);
        for (int i = 0; i < count; i++)
        {
            int epoch = reader.ReadInt32(), total = reader.ReadInt32(), stepsPerEpoch = reader.ReadInt32();
            double learningRate = reader.ReadDouble();
            var epochElapsed = new TimeSpan(reader.ReadInt64());
            var remaining = new TimeSpan(reader.ReadInt64());
            var train = ReadMetrics(reader, switches);
            var validation = reader.ReadBoolean() ? ReadMetrics(reader, switches) : null;
            epochs.Add(new TrainingProgress
            {
                Epoch = epoch,
                Epochs = total,
                Step = stepsPerEpoch,
                StepsPerEpoch = stepsPerEpoch,
                IsEpochEnd = true,
                Train = train,
                Validation = validation,
                LearningRate = learningRate,
                Elapsed = epochElapsed,
                EstimatedRemaining = remaining,
            });
        }
        var progress = new CheckpointProgress(epochs, steps, trainingTime, elapsed);
        if (version < 2) return progress;
        int into = reader.ReadInt32();
        if (into < 0 || into > 1_000_000_000) throw new InvalidDataException($"The checkpoint claims {into} steps into its unfinished epoch.");
        if (into == 0) return progress;
        int metrics = reader.ReadInt32();
        if (metrics != switches.Count)
            throw new InvalidDataException($"The checkpoint holds running metrics for {metrics} switches; the network has {switches.Count}.");
        var state = new RunningMetrics.State(new double[metrics], new long[metrics], new long[metrics]);
        for (int i = 0; i < metrics; i++)
        {
            state.LossSums[i] = reader.ReadDouble();
            state.Correct[i] = reader.ReadInt64();
            state.Images[i] = reader.ReadInt64();
        }
        return progress with { StepsIntoEpoch = into, Running = state };
    }

    private static void WriteMetrics(BinaryWriter writer, IReadOnlyList<SwitchMetrics> metrics)
    {
        writer.Write(metrics.Count);
        foreach (var m in metrics)
        {
            writer.Write(m.Loss);
            writer.Write(m.Accuracy);
        }
    }

    private static SwitchMetrics[] ReadMetrics(BinaryReader reader, IReadOnlyList<Precision> switches)
    {
        int count = reader.ReadInt32();
        if (count != switches.Count)
            throw new InvalidDataException($"The checkpoint holds metrics for {count} switches; the network has {switches.Count}.");
        return switches.Select(s => new SwitchMetrics(s, reader.ReadDouble(), reader.ReadDouble())).ToArray();
    }
}
