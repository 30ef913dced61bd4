using System.Text;
using Microsoft.ML.SwitchablePrecision.Inference.Description;

namespace Microsoft.ML.SwitchablePrecision.Persistence;

/// <summary>
/// The stored form of a model exported for inference (docs/model-format.md, "Compact models"): the envelope of
/// <see cref="ChecksummedBlock"/> with magic <c>SPNETCMP</c>, and a payload of the metadata (the
/// <see cref="ModelMetadata"/> of the full model, its <c>Switches</c> the exported ones) followed by the exported
/// switches' plan descriptions and the full network's layer costs (<see cref="ReportBasisFormat"/>). No latent weights,
/// no TorchSharp state. Version 2 stores what switches share once and the floats as byte planes
/// (<see cref="PooledPlanDescriptionFormat"/>), as float32 or float16, and compresses the plans and layer costs
/// (<see cref="CompressedBody"/>); version 1 stored each switch's plan in full and uncompressed
/// (<see cref="PlanDescriptionFormat"/>) and is still read.
/// </summary>
internal static class CompactModelFile
{
    /// <summary>The format this build writes; it reads it and version 1.</summary>
    public const int CurrentVersion = 2;

    /// <summary>How messages name the part.</summary>
    public const string Subject = "The compact model (SpNetCompact.bin)";

    private static readonly ChecksummedBlock Block = new("SPNETCMP"u8.ToArray(), CurrentVersion, Subject, "a compact switchable-precision model");

    public static void Write(Stream destination, ModelMetadata metadata, ExportedPlans plans)
    {
        using var payload = new MemoryStream();
        using (var writer = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true))
        {
            ModelFile.WriteMetadata(writer, metadata);
            using var body = new MemoryStream();
            using (var bodyWriter = new BinaryWriter(body, Encoding.UTF8, leaveOpen: true))
            {
                PooledPlanDescriptionFormat.Write(bodyWriter, plans.Descriptions, plans.FloatStorage);
                ReportBasisFormat.Write(bodyWriter, plans.Report);
            }
            CompressedBody.Write(writer, body.GetBuffer().AsSpan(0, (int)body.Length));
        }
        Block.Write(destination, payload.GetBuffer().AsSpan(0, (int)payload.Length));
    }

    /// <summary>Reads the metadata and the exported plans, checking that they describe one model.</summary>
    /// <exception cref="InvalidDataException">Not a compact model, a newer format, damaged, or parts that disagree; the message names the field.</exception>
    public static (ModelMetadata Metadata, Architectures.NetworkOptions Options, ExportedPlans Plans) Read(Stream source)
    {
        try
        {
            if (!source.CanSeek) source = ModelFile.BufferedCopy(source);
            var (length, version) = Block.Open(source);
            // The length equals the bytes really present, so the copy is bounded by the part's true size.
            var payload = new byte[length];
            source.ReadExactly(payload);
            using var head = new BinaryReader(new MemoryStream(payload, writable: false));
            var metadata = ModelFile.ReadMetadata(head, length, Subject);
            var options = metadata.ToNetworkOptions();
            int offset = (int)head.BaseStream.Position;
            var reader = version == 1 ? new BoundedReader(payload, offset, Subject) : new BoundedReader(CompressedBody.Read(payload, offset, Subject), 0, Subject);
            var storage = InferenceFloatStorage.Float32;
            var descriptions = version == 1 ? PlanDescriptionFormat.Read(reader) : PooledPlanDescriptionFormat.Read(reader, out storage);
            var report = ReportBasisFormat.Read(reader);
            if (reader.Remaining != 0)
                throw new InvalidDataException($"{Subject} has {reader.Remaining} bytes after its layer costs, inside its payload.");
            return (metadata, options, Plans(descriptions, options, report, storage));
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{Subject} ends inside a field: its plans are incomplete.", e);
        }
    }

    private static ExportedPlans Plans(IReadOnlyList<PlanDescription> descriptions, Architectures.NetworkOptions options, Reporting.ReportBasis report,
        InferenceFloatStorage storage)
    {
        var stored = descriptions.Select(d => d.Precision).ToArray();
        if (!stored.SequenceEqual(options.Switches))
            throw new InvalidDataException(
                $"{Subject} holds plans of {string.Join(", ", stored)}, but its metadata lists the switches {string.Join(", ", options.Switches)}.");
        foreach (var d in descriptions)
        {
            if (d.Input.Channels != options.InputChannels || d.Input.Height != options.Height || d.Input.Width != options.Width)
                throw new InvalidDataException(
                    $"{Subject}'s plan of {d.Precision} takes {d.Input.Channels}x{d.Input.Height}x{d.Input.Width} images; its metadata says {options.InputChannels}x{options.Height}x{options.Width}.");
            if (d.Layers.Count == 0 || d.Layers[^1].Shape.OutChannels != options.Classes || d.Layers[^1].Kind == LayerKind.GlobalAveragePool)
                throw new InvalidDataException($"{Subject}'s plan of {d.Precision} does not end in a layer of {options.Classes} logits, one per class.");
        }
        try
        {
            return new ExportedPlans(options, descriptions, report, storage);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            throw new InvalidDataException($"{Subject}'s plans do not fit together: {e.Message}", e);
        }
    }
}
