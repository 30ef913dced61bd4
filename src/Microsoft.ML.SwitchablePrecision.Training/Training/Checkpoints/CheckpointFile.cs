using System.Text;
using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Persistence;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Training.Checkpoints;

/// <summary>
/// The checkpoint of one run in its folder: the run's fingerprint, the progress so far, every parameter and buffer of
/// the network and the optimizer's state (momentum buffers, Adam moments and step counts). Written to a temporary
/// file and renamed, so an interruption while writing leaves the previous checkpoint intact.
/// </summary>
internal sealed class CheckpointFile(string folder, string fingerprint)
{
    /// <summary>The file name inside <see cref="TrainerOptions.CheckpointFolder"/>.</summary>
    public const string FileName = "spnet-checkpoint.bin";

    private const string Magic = "SPNETCKP";
    // Version 2 adds the position within an unfinished epoch; version 1 files (epoch ends only) are still read.
    private const int Version = 2;

    /// <summary>The checkpoint's path.</summary>
    public string Path { get; } = System.IO.Path.Combine(folder, FileName);

    /// <summary>Writes the state reached at the end of an epoch or after a step within one.</summary>
    public void Save(SwitchableNetwork network, optim.Optimizer optimizer, CheckpointProgress progress)
    {
        Directory.CreateDirectory(folder);
        string temporary = Path + ".tmp-" + Environment.ProcessId;
        using (var stream = File.Create(temporary))
        using (var writer = new BinaryWriter(stream, Encoding.UTF8))
        {
            writer.Write(Encoding.ASCII.GetBytes(Magic));
            writer.Write(Version);
            writer.Write(fingerprint);
            ProgressFormat.Write(writer, progress);
            NetworkState.Write(network, writer);
            Stateful(optimizer).save_state_dict(writer);
        }
        File.Move(temporary, Path, overwrite: true);
    }

    /// <summary>
    /// Loads the checkpoint into <paramref name="network"/> and <paramref name="optimizer"/> and returns its progress,
    /// or returns null when the folder holds none.
    /// </summary>
    /// <exception cref="InvalidOperationException">The checkpoint belongs to a run with other settings, network or data.</exception>
    /// <exception cref="InvalidDataException">The file is not a checkpoint or is damaged.</exception>
    public CheckpointProgress? TryLoad(SwitchableNetwork network, optim.Optimizer optimizer)
    {
        if (!File.Exists(Path)) return null;
        try
        {
            using var stream = new MemoryStream(File.ReadAllBytes(Path));
            using var reader = new BinaryReader(stream, Encoding.UTF8);
            if (Encoding.ASCII.GetString(reader.ReadBytes(Magic.Length)) != Magic)
                throw new InvalidDataException($"'{Path}' is not an SP-Net training checkpoint.");
            int version = reader.ReadInt32();
            if (version is < 1 or > Version)
                throw new InvalidDataException($"Checkpoint '{Path}' has format version {version}; this library reads versions 1 to {Version}.");
            string stored = reader.ReadString();
            if (stored != fingerprint)
                throw new InvalidOperationException(
                    $"Checkpoint '{Path}' belongs to a different run (other network, training settings or data), so it cannot be resumed. " +
                    $"Delete it or choose another checkpoint folder. Stored run: {stored}. This run: {fingerprint}.");
            var progress = ProgressFormat.Read(reader, network.Switches, version);
            NetworkState.Read(network, reader);
            Stateful(optimizer).load_state_dict(reader);
            return progress;
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"Checkpoint '{Path}' ends early; it is damaged.", e);
        }
        catch (InvalidDataException e) when (!e.Message.Contains(Path, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"Checkpoint '{Path}' is damaged: {e.Message}", e);
        }
    }

    // SGD and Adam (the optimizers OptimizerFactory builds) keep their state through OptimizerHelper.
    private static OptimizerHelper Stateful(optim.Optimizer optimizer) => optimizer as OptimizerHelper
        ?? throw new InvalidOperationException($"Optimizer {optimizer.GetType().Name} cannot save its state in a checkpoint.");
}
