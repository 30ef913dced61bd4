// Saving and loading inside ML.NET's model .zip (internal ModelSaveContext/ModelLoadContext API; see MlNetInternals.cs).
using Microsoft.ML;
using Microsoft.ML.Runtime;
using Microsoft.ML.SwitchablePrecision;
using Microsoft.ML.SwitchablePrecision.Persistence;

[assembly: LoadableClass(typeof(SwitchablePrecisionTransformer), typeof(ModelStorage), null, typeof(SignatureLoadModel),
    "Switchable precision network", ModelStorage.LoaderSignature)]

namespace Microsoft.ML.SwitchablePrecision;

/// <summary>
/// Writes a <see cref="SwitchablePrecisionTransformer"/> into ML.NET's model repository and reads it back. ML.NET
/// finds the loader through <see cref="LoaderSignature"/> and registers this assembly by itself at load time.
/// </summary>
internal static class ModelStorage
{
    /// <summary>At most 24 ASCII characters; stored in every saved model: never change it.</summary>
    public const string LoaderSignature = "SwitchablePrecisionXf";

    private const string ModelSignature = "SPNETXFM";
    private const string WeightsEntry = "SpNetModel.bin";
    private const string CompactEntry = "SpNetCompact.bin";

    private static VersionInfo GetVersionInfo() => new(
        modelSignature: ModelSignature,
        verWrittenCur: 0x00010001,
        verReadableCur: 0x00010001,
        verWeCanReadBack: 0x00010001,
        loaderAssemblyName: typeof(ModelStorage).Assembly.FullName,
        loaderSignature: LoaderSignature,
        loaderSignatureAlt: null);

    /// <summary>Writes <paramref name="transformer"/> with <paramref name="active"/> (default: its <c>Precision</c>) as the stored precision.</summary>
    public static void Save(ModelSaveContext ctx, SwitchablePrecisionTransformer transformer, Precision? active = null)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ctx.CheckAtModel();
        ctx.SetVersionInfo(GetVersionInfo());
        ctx.Writer.Write(ModelFile.CurrentVersion);
        if (transformer.Exported is { } exported)
        {
            ctx.SaveBinaryStream(CompactEntry, writer =>
            {
                writer.Flush();
                CompactModelFile.Write(writer.BaseStream, Metadata(transformer, exported.Network, active), exported);
            });
            return;
        }
        ctx.SaveBinaryStream(WeightsEntry, writer =>
        {
            writer.Flush();
            transformer.WithBackend(network =>
            {
                ModelFile.Write(writer.BaseStream, Metadata(transformer, network.Options, active), network.WriteState);
                return true;
            });
        });
    }

    private static ModelMetadata Metadata(SwitchablePrecisionTransformer transformer, Architectures.NetworkOptions network, Precision? active)
    {
        var (training, columns) = StoredOptions.ToRecords(transformer.Options);
        var metadata = ModelMetadata.From(network, active ?? transformer.Precision, transformer.ClassNames, training, columns);
        metadata.SwitchAccuracies = OnDemand.StoredAccuracies.ToStored(network.Switches, transformer.SwitchAccuracies);
        return metadata;
    }

    /// <summary>The loader ML.NET calls (signature <c>SignatureLoadModel</c>).</summary>
    public static SwitchablePrecisionTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(ctx);
        ctx.CheckAtModel(GetVersionInfo());
        CheckEntries(ctx.Repository._archive.Entries.Select(e => e.FullName), ctx.Directory);
        int formatVersion = ctx.Reader.ReadInt32();
        if (formatVersion > ModelFile.CurrentVersion)
            throw new InvalidDataException(
                $"The model was saved in SP-Net format version {formatVersion}; this build reads up to version {ModelFile.CurrentVersion}. Update Microsoft.ML.SwitchablePrecision.");
        SwitchablePrecisionTransformer? transformer = null;
        // A model exported for inference loads without TorchSharp.
        if (ctx.TryLoadBinaryStream(CompactEntry, reader =>
            {
                var (metadata, network, plans) = CompactModelFile.Read(reader.BaseStream);
                transformer = new SwitchablePrecisionTransformer(env, plans, StoredOptions.FromMetadata(metadata, network), metadata.ClassNames,
                    metadata.ActivePrecisionValue)
                {
                    SwitchAccuracies = OnDemand.StoredAccuracies.FromStored(metadata.SwitchAccuracies, plans.Switches),
                };
            }))
            return transformer!;
        // A full model: into TorchSharp's network when the training assembly is there, as before the split; otherwise
        // into plans of its stored weights, without TorchSharp.
        var training = TrainingAssembly.Factory;
        bool found = ctx.TryLoadBinaryStream(WeightsEntry, reader =>
        {
            var (metadata, network) = training is not null ? training.Read(reader.BaseStream) : ReadStored(reader.BaseStream);
            try
            {
                var options = StoredOptions.FromMetadata(metadata, network.Options);
                transformer = new SwitchablePrecisionTransformer(env, network, options, metadata.ClassNames)
                {
                    SwitchAccuracies = OnDemand.StoredAccuracies.FromStored(metadata.SwitchAccuracies, network.Switches),
                };
            }
            catch
            {
                network.Dispose();
                throw;
            }
        });
        if (!found || transformer is null)
            throw new InvalidDataException($"The model has no '{WeightsEntry}' entry: it is incomplete or was not written by Microsoft.ML.SwitchablePrecision.");
        return transformer;
    }

    private static (ModelMetadata, INetworkBackend) ReadStored(Stream source)
    {
        var model = Inference.Stored.StoredModel.Read(source);
        return (model.Metadata, new StoredNetworkBackend(model));
    }

    /// <summary>
    /// ML.NET silently takes the last of two entries with one name, and ignores entries nobody asks for: either means
    /// the file was put together from parts that do not belong together, so both fail.
    /// </summary>
    internal static void CheckEntries(IEnumerable<string> entryNames, string? directory)
    {
        var names = entryNames.Select(n => n.Replace('\\', '/')).ToList();
        var duplicate = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new InvalidDataException($"The model file holds {duplicate.Count()} entries named '{duplicate.Key}'; a model holds each entry once.");
        if (string.IsNullOrEmpty(directory)) return;
        // The prefix ends with '/', so a sibling such as Transform_0010 next to Transform_001 never matches it.
        var prefix = directory.Replace('\\', '/').TrimEnd('/') + "/";
        var expected = new[] { prefix + "Model.key", prefix + WeightsEntry, prefix + CompactEntry };
        var unexpected = names.FirstOrDefault(n => n.StartsWith(prefix, StringComparison.Ordinal) && !expected.Contains(n, StringComparer.Ordinal));
        if (unexpected is not null)
            throw new InvalidDataException(
                $"The model file holds an unexpected entry '{unexpected}' beside the SP-Net's '{prefix}{WeightsEntry}'.");
        if (names.Contains(prefix + WeightsEntry, StringComparer.Ordinal) && names.Contains(prefix + CompactEntry, StringComparer.Ordinal))
            throw new InvalidDataException(
                $"The model file holds both '{prefix}{WeightsEntry}' and '{prefix}{CompactEntry}'; an SP-Net is stored as one of them.");
    }
}
