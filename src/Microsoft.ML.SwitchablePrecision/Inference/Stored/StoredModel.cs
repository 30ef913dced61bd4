using System.Text;
using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Inference.Description;
using Microsoft.ML.SwitchablePrecision.Persistence;

namespace Microsoft.ML.SwitchablePrecision.Inference.Stored;

/// <summary>
/// A full model (the <c>SpNetModel.bin</c> entry of a model.zip: metadata and every parameter and buffer) read without
/// TorchSharp, from which the plan of any stored switch is built (<see cref="StoredNetworkPlans"/>).
/// </summary>
/// <param name="Metadata">The stored metadata.</param>
/// <param name="Options">The network options the metadata describes.</param>
/// <param name="Tensors">Every stored tensor.</param>
internal sealed record StoredModel(ModelMetadata Metadata, NetworkOptions Options, StoredTensorTable Tensors)
{
    /// <summary>The description of switch <paramref name="precision"/>.</summary>
    public PlanDescription Describe(Precision precision) => StoredNetworkPlans.Describe(Options, Tensors, precision);

    /// <summary>The plan of switch <paramref name="precision"/>.</summary>
    public InferencePlan Compile(Precision precision) => StoredNetworkPlans.Compile(Options, Tensors, precision);

    /// <summary>Reads a full model file (any format version this build reads) without building its network.</summary>
    /// <exception cref="InvalidDataException">The data is not a model of this library, is of a newer format, or is damaged.</exception>
    public static StoredModel Read(Stream source)
    {
        try
        {
            if (!source.CanSeek) source = ModelFile.BufferedCopy(source);
            var (length, _) = ModelFile.OpenBlock(source);
            long start = source.Position;
            using var reader = new BinaryReader(source, Encoding.UTF8, leaveOpen: true);
            var metadata = ModelFile.ReadMetadata(reader, length);
            var options = metadata.ToNetworkOptions();
            var tensors = StoredTensorTable.Read(reader, length - (source.Position - start));
            if (source.Position - start != length)
                throw new InvalidDataException("The model's weights do not end where its payload ends.");
            return new StoredModel(metadata, options, tensors);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("The model is truncated.", e);
        }
    }
}
