using Microsoft.ML.SwitchablePrecision.Data;
using Microsoft.ML.SwitchablePrecision.Tests.Data;
using Microsoft.ML.SwitchablePrecision.Training;
using Microsoft.ML.SwitchablePrecision.Training.Checkpoints;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Tests.Training;

// Trains with Threads = 1, which sets torch's process-wide thread count while it runs.
[Collection(ProcessWideStateCollection.Name)]
public class CheckpointTests
{
    // One thread: a run is bitwise reproducible only at a fixed thread count. Crops and flips make the replayed
    // augmentation draws matter; three epochs put the interruption in the middle of the schedule.
    private static readonly TrainerOptions ThreeEpochs = new()
    {
        Epochs = 3, BatchSize = 50, LearningRate = 0.05, Optimizer = OptimizerKind.Sgd, WeightDecay = 5e-4, Seed = 21, Threads = 1, HorizontalFlip = true, RandomCropPadding = 2,
    };

    private static ImageDataset Data => SubsetData.Balanced(TrainingData.Train, 20);

    [Theory]
    [InlineData(OptimizerKind.Sgd, 0.05)]
    [InlineData(OptimizerKind.Adam, 0.002)]
    public void ARunInterruptedAfterItsFirstEpochAndResumedEndsBitwiseEqualToAnUninterruptedRun(OptimizerKind optimizer, double learningRate)
    {
        var options = ThreeEpochs with { Optimizer = optimizer, LearningRate = learningRate };
        using var folder = new TempFolder();
        var uninterrupted = Train(options, initSeed: 5, out var expected);

        using var cancel = new CancellationTokenSource();
        var checkpointed = options with { CheckpointFolder = folder.Path };
        using (var first = TrainingData.NewNetwork(5, TrainingData.ThreeSwitches))
        {
            Assert.Throws<OperationCanceledException>(() => new SwitchableNetworkTrainer(checkpointed).Train(first, Data,
                progress: p => { if (p.IsEpochEnd && p.Epoch == 1) cancel.Cancel(); }, cancellationToken: cancel.Token));
        }
        Assert.True(File.Exists(Path.Combine(folder.Path, CheckpointFile.FileName)));

        // Other initial weights: everything the resumed run continues from must come from the checkpoint.
        using var resumed = TrainingData.NewNetwork(99, TrainingData.ThreeSwitches);
        var stepsSeen = new List<int>();
        var summary = new SwitchableNetworkTrainer(checkpointed).Train(resumed, Data, progress: p => stepsSeen.Add(p.Epoch));

        Assert.DoesNotContain(1, stepsSeen);
        Assert.Equal([1, 2, 3], summary.Epochs.Select(e => e.Epoch));
        Assert.Equal(uninterrupted.Epochs.Select(e => e.Train), summary.Epochs.Select(e => e.Train));
        Assert.Equal(uninterrupted.Epochs.Select(e => e.LearningRate), summary.Epochs.Select(e => e.LearningRate));
        AssertSameState(expected, resumed, sameKeys: true);
    }

    [Fact]
    public void ARunInterruptedWithinAnEpochAndResumedEndsBitwiseEqualToAnUninterruptedRun()
    {
        // 200 images in batches of 50: 4 steps per epoch; the interruption falls after step 2 of epoch 2.
        var options = ThreeEpochs with { Optimizer = OptimizerKind.Adam, LearningRate = 0.002 };
        using var folder = new TempFolder();
        var uninterrupted = Train(options, initSeed: 5, out var expected);

        using var cancel = new CancellationTokenSource();
        var checkpointed = options with { CheckpointFolder = folder.Path, CheckpointInterval = TimeSpan.Zero };
        using (var first = TrainingData.NewNetwork(5, TrainingData.ThreeSwitches))
        {
            Assert.Throws<OperationCanceledException>(() => new SwitchableNetworkTrainer(checkpointed).Train(first, Data,
                progress: p => { if (p.Epoch == 2 && p.Step == 2) cancel.Cancel(); }, cancellationToken: cancel.Token));
        }

        using var resumed = TrainingData.NewNetwork(99, TrainingData.ThreeSwitches);
        var seen = new List<(int Epoch, int Step)>();
        var summary = new SwitchableNetworkTrainer(checkpointed).Train(resumed, Data, progress: p => seen.Add((p.Epoch, p.Step)));

        Assert.Equal((2, 3), seen[0]);
        Assert.Equal([1, 2, 3], summary.Epochs.Select(e => e.Epoch));
        // Epoch 2's running metrics continue from the two steps before the interruption.
        Assert.Equal(uninterrupted.Epochs.Select(e => e.Train), summary.Epochs.Select(e => e.Train));
        AssertSameState(expected, resumed);
    }

    [Fact]
    public void ACheckpointOfTheFirstFormatVersionStillResumes()
    {
        using var folder = new TempFolder();
        var options = ThreeEpochs with { Epochs = 2, CheckpointFolder = folder.Path };
        var uninterrupted = Train(options with { CheckpointFolder = null }, initSeed: 5, out var expected);
        using var cancel = new CancellationTokenSource();
        using (var first = TrainingData.NewNetwork(5, TrainingData.ThreeSwitches))
        {
            Assert.Throws<OperationCanceledException>(() => new SwitchableNetworkTrainer(options).Train(first, Data,
                progress: p => { if (p.IsEpochEnd && p.Epoch == 1) cancel.Cancel(); }, cancellationToken: cancel.Token));
        }
        string file = Path.Combine(folder.Path, CheckpointFile.FileName);
        File.WriteAllBytes(file, AsVersion1(File.ReadAllBytes(file)));

        using var resumed = TrainingData.NewNetwork(99, TrainingData.ThreeSwitches);
        var summary = new SwitchableNetworkTrainer(options).Train(resumed, Data);

        Assert.Equal(uninterrupted.Epochs.Select(e => e.Train), summary.Epochs.Select(e => e.Train));
        AssertSameState(expected, resumed);
    }

    [Fact]
    public void ANegativeCheckpointIntervalIsRejectedAtConstruction()
    {
        var error = Assert.Throws<ArgumentException>(() => new SwitchableNetworkTrainer(ThreeEpochs with { CheckpointInterval = TimeSpan.FromSeconds(-1) }));
        Assert.StartsWith("TrainerOptions.CheckpointInterval is -00:00:01; expected null (at epoch ends only) or a time of at least zero.", error.Message);
    }

    // Version 1 (the first sitting's format) is version 2 of an epoch-end checkpoint without the int32 "steps into the
    // unfinished epoch" that follows the end-of-epoch reports.
    private static byte[] AsVersion1(byte[] version2)
    {
        using var reader = new BinaryReader(new MemoryStream(version2), System.Text.Encoding.UTF8);
        reader.ReadBytes(8);
        Assert.Equal(2, reader.ReadInt32());
        reader.ReadString();
        using (var network = TrainingData.NewNetwork(1, TrainingData.ThreeSwitches))
            ProgressFormat.Read(reader, network.Switches, version: 1);
        int at = (int)reader.BaseStream.Position;
        Assert.Equal(0, reader.ReadInt32());
        var version1 = version2[..at].Concat(version2[(at + 4)..]).ToArray();
        BitConverter.GetBytes(1).CopyTo(version1, 8);
        return version1;
    }

    [Fact]
    public void AFinishedCheckpointIsLoadedWithoutTrainingAgain()
    {
        using var folder = new TempFolder();
        var options = ThreeEpochs with { Epochs = 1, CheckpointFolder = folder.Path };
        var summary = Train(options, initSeed: 5, out var trained);

        using var again = TrainingData.NewNetwork(8, TrainingData.ThreeSwitches);
        int reports = 0;
        var second = new SwitchableNetworkTrainer(options).Train(again, Data, progress: _ => reports++);

        Assert.Equal(0, reports);
        Assert.Equal(summary.FinalTrain, second.FinalTrain);
        var state = StateOf(again);
        foreach (var name in trained.Keys) Assert.True(trained[name].SequenceEqual(state[name]), $"{name} was not restored");
    }

    [Fact]
    public void ACheckpointOfAnotherRunIsRefusedByNameAndKept()
    {
        using var folder = new TempFolder();
        Train(ThreeEpochs with { Epochs = 1, CheckpointFolder = folder.Path }, initSeed: 5, out _);
        string file = Path.Combine(folder.Path, CheckpointFile.FileName);
        var before = File.ReadAllBytes(file);

        using var network = TrainingData.NewNetwork(5, TrainingData.ThreeSwitches);
        var error = Assert.Throws<InvalidOperationException>(() =>
            new SwitchableNetworkTrainer(ThreeEpochs with { Epochs = 1, LearningRate = 0.01, CheckpointFolder = folder.Path }).Train(network, Data));

        Assert.StartsWith($"Checkpoint '{file}' belongs to a different run (other network, training settings or data), so it cannot be resumed. Delete it or choose another checkpoint folder.", error.Message);
        Assert.Contains("LearningRate=0.05 ", error.Message);
        Assert.Contains("LearningRate=0.01 ", error.Message);
        Assert.Equal(before, File.ReadAllBytes(file));
    }

    [Fact]
    public void ADamagedCheckpointIsReportedWithItsPath()
    {
        using var folder = new TempFolder();
        var options = ThreeEpochs with { Epochs = 1, CheckpointFolder = folder.Path };
        Train(options, initSeed: 5, out _);
        string file = Path.Combine(folder.Path, CheckpointFile.FileName);
        var bytes = File.ReadAllBytes(file);
        File.WriteAllBytes(file, bytes[..(bytes.Length / 2)]);

        using var network = TrainingData.NewNetwork(5, TrainingData.ThreeSwitches);
        var error = Assert.Throws<InvalidDataException>(() => new SwitchableNetworkTrainer(options).Train(network, Data));
        Assert.Contains($"Checkpoint '{file}'", error.Message);

        File.WriteAllText(file, "not a checkpoint");
        error = Assert.Throws<InvalidDataException>(() => new SwitchableNetworkTrainer(options).Train(network, Data));
        Assert.Equal($"'{file}' is not an SP-Net training checkpoint.", error.Message);
    }

    [Fact]
    public void ABlankCheckpointFolderIsRejectedAtConstruction()
    {
        var error = Assert.Throws<ArgumentException>(() => new SwitchableNetworkTrainer(ThreeEpochs with { CheckpointFolder = " " }));
        Assert.StartsWith("TrainerOptions.CheckpointFolder is ' '; expected null (no checkpoints) or a folder path.", error.Message);
    }

    private static TrainingSummary Train(TrainerOptions options, int initSeed, out Dictionary<string, float[]> state)
    {
        using var network = TrainingData.NewNetwork(initSeed, TrainingData.ThreeSwitches);
        var summary = new SwitchableNetworkTrainer(options).Train(network, Data);
        state = StateOf(network);
        return summary;
    }

    private static void AssertSameState(Dictionary<string, float[]> expected, nn.Module network, bool sameKeys = false)
    {
        var actual = StateOf(network);
        if (sameKeys) Assert.Equal(expected.Keys, actual.Keys);
        foreach (var name in expected.Keys) Assert.True(expected[name].SequenceEqual(actual[name]), $"{name} differs from the uninterrupted run");
    }

    private static Dictionary<string, float[]> StateOf(nn.Module network) =>
        network.state_dict()
            .Where(entry => entry.Value.dtype == ScalarType.Float32)
            .ToDictionary(entry => entry.Key, entry => entry.Value.data<float>().ToArray());
}
