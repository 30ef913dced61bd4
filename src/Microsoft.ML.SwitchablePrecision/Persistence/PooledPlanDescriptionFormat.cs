using System.Security.Cryptography;
using Microsoft.ML.SwitchablePrecision.Inference.Description;
using Microsoft.ML.SwitchablePrecision.Inference.Layout;
using Microsoft.ML.SwitchablePrecision.Inference.Quantizers;
using Microsoft.ML.SwitchablePrecision.Inference.Steps;

namespace Microsoft.ML.SwitchablePrecision.Persistence;

/// <summary>
/// The binary form of several switches' <see cref="PlanDescription"/>s in compact format version 2: everything that
/// switches share is stored once. First the <see cref="FloatSection"/> (every fold value and full-precision weight, as
/// byte planes); then, with every count and index a 7-bit encoded integer: the distinct weight tensors (each as its
/// <see cref="StoredWeights"/> bytes, a full-precision tensor's values taken from the float section); the distinct folds
/// (each one's channel count and reference plus one: the latest earlier fold of the same layer, or none; from the float
/// section every fold's multipliers, then every fold's biases, each value as the exclusive or of its bits with its
/// reference's); the distinct layer layouts (per layer: byte kind, name,
/// input and residual plus one, and for all but a pool the seven numbers of its shape); the plans: per plan its switch
/// (string), the input (int32 channels, height, width, the mean and std as int32 count and float32 values), its layout's
/// index and per layer the byte rectifier and, for all but a pool, the weight index, the input form (as in version 1)
/// and the fold index. Version 1 stored every switch's layers, names and folds in full (<see cref="PlanDescriptionFormat"/>).
/// </summary>
internal static class PooledPlanDescriptionFormat
{
    public static void Write(BinaryWriter writer, IReadOnlyList<PlanDescription> plans, InferenceFloatStorage storage)
    {
        var floats = FloatSection.ForWriting(storage);
        using var structure = new MemoryStream();
        using (var body = new BinaryWriter(structure, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            var weights = Pool(plans.SelectMany(p => p.Layers), l => l.Weights, w => StoredWeights.Encode(w));
            body.Write7BitEncodedInt(weights.Distinct.Count);
            foreach (var tensor in weights.Distinct) StoredWeights.Write(body, tensor, floats);
            var folds = Pool(plans.SelectMany(p => p.Layers), l => l.Fold, FoldBytes);
            body.Write7BitEncodedInt(folds.Distinct.Count);
            // All multipliers, then all biases: each run holds values of one kind, which compresses better. A fold is
            // stored against the previous switch's fold of its layer, whose values are close.
            var references = References(folds.Distinct, folds.FirstLayer);
            for (int i = 0; i < folds.Distinct.Count; i++)
            {
                body.Write7BitEncodedInt(folds.Distinct[i].Multiplier.Length);
                body.Write7BitEncodedInt(references[i] + 1);
            }
            for (int i = 0; i < folds.Distinct.Count; i++) floats.Add(folds.Distinct[i].Multiplier, Reference(folds.Distinct, references[i], f => f.Multiplier));
            for (int i = 0; i < folds.Distinct.Count; i++) floats.Add(folds.Distinct[i].Bias, Reference(folds.Distinct, references[i], f => f.Bias));
            var layouts = new List<LayerRecord[]>();
            var planLayouts = plans.Select(p => LayoutIndex(layouts, p.Layers)).ToArray();
            body.Write7BitEncodedInt(layouts.Count);
            foreach (var layout in layouts)
            {
                body.Write7BitEncodedInt(layout.Length);
                foreach (var layer in layout) WriteLayout(body, layer);
            }
            body.Write7BitEncodedInt(plans.Count);
            for (int p = 0; p < plans.Count; p++)
            {
                var plan = plans[p];
                body.Write(plan.Precision.ToString());
                PlanDescriptionFormat.WriteInput(body, plan.Input);
                body.Write7BitEncodedInt(planLayouts[p]);
                foreach (var layer in plan.Layers)
                {
                    body.Write((byte)layer.Rectifier);
                    if (layer.Kind == LayerKind.GlobalAveragePool) continue;
                    body.Write7BitEncodedInt(weights.Index[layer.Weights!]);
                    PlanDescriptionFormat.WriteForm(body, layer.InputForm);
                    body.Write7BitEncodedInt(folds.Index[layer.Fold!]);
                }
            }
        }
        floats.Write(writer);
        writer.Write(structure.GetBuffer(), 0, (int)structure.Length);
    }

    /// <exception cref="InvalidDataException">A field is out of range, an index names no stored item, or the float values do not match what the layers use; the message names it.</exception>
    public static IReadOnlyList<PlanDescription> Read(BoundedReader reader, out InferenceFloatStorage storage)
    {
        var floats = FloatSection.Read(reader);
        storage = floats.Storage;
        var weights = new WeightLevels[reader.VarCount("weight tensor count", 3 * sizeof(int))];
        for (int i = 0; i < weights.Length; i++) weights[i] = StoredWeights.Read(reader, floats);
        var channels = new int[reader.VarCount("fold count", 2)];
        var references = new int[channels.Length];
        for (int i = 0; i < channels.Length; i++)
        {
            channels[i] = reader.VarInt("fold channel count");
            references[i] = reader.VarInt($"fold {i}'s reference") - 1;
            if (references[i] >= i || references[i] >= 0 && channels[references[i]] != channels[i])
                throw new InvalidDataException($"Fold {i} of {channels[i]} channels is stored against fold {references[i]}; expected -1 or an earlier fold of as many channels.");
        }
        var multipliers = new float[channels.Length][];
        for (int i = 0; i < channels.Length; i++)
            multipliers[i] = floats.Take($"fold {i}'s multipliers", channels[i], references[i] < 0 ? default : multipliers[references[i]]);
        var folds = new FoldedNorm[channels.Length];
        for (int i = 0; i < channels.Length; i++)
            folds[i] = new FoldedNorm(multipliers[i], floats.Take($"fold {i}'s biases", channels[i], references[i] < 0 ? default : folds[references[i]].Bias));
        var layouts = new LayerRecord[reader.VarCount("layer layout count", 1)][];
        for (int i = 0; i < layouts.Length; i++)
        {
            layouts[i] = new LayerRecord[reader.VarCount($"layer layout {i}'s layer count", 4)];
            for (int l = 0; l < layouts[i].Length; l++) layouts[i][l] = ReadLayout(reader);
        }
        if (floats.Remaining != 0)
            throw new InvalidDataException($"The model holds {floats.Remaining} float values that no weight tensor or fold uses.");
        var plans = new PlanDescription[reader.VarCount("plan count", 2)];
        for (int p = 0; p < plans.Length; p++)
        {
            string text = reader.String();
            if (!Precision.TryParse(text, out var precision)) throw new InvalidDataException($"Plan {p}'s switch '{text}' is not a valid precision.");
            var input = PlanDescriptionFormat.ReadInput(reader);
            var layout = layouts[Index(reader.VarInt($"plan {precision}'s layout index"), layouts.Length, $"Plan {precision}", "layer layout")];
            var layers = new LayerRecord[layout.Length];
            for (int l = 0; l < layout.Length; l++)
            {
                var shared = layout[l];
                var rectifier = PlanDescriptionFormat.Defined<Rectifier>(reader.Byte(), $"rectifier of layer {shared.Name}");
                if (shared.Kind == LayerKind.GlobalAveragePool)
                {
                    layers[l] = shared with { Rectifier = rectifier };
                    continue;
                }
                var tensor = weights[Index(reader.VarInt($"layer {shared.Name}'s weight index"), weights.Length, $"Layer {shared.Name} of {precision}", "weight tensor")];
                var form = PlanDescriptionFormat.ReadForm(reader, shared.Name);
                var fold = folds[Index(reader.VarInt($"layer {shared.Name}'s fold index"), folds.Length, $"Layer {shared.Name} of {precision}", "fold")];
                layers[l] = shared with { Rectifier = rectifier, Weights = tensor, InputForm = form, Fold = fold };
            }
            plans[p] = new PlanDescription(precision, input, layers);
        }
        return plans;
    }

    // The distinct values of a per-layer item, compared by their stored bytes, each value's index among them, and the
    // first layer that uses each.
    private static (List<T> Distinct, Dictionary<T, int> Index, List<LayerRecord> FirstLayer) Pool<T>(IEnumerable<LayerRecord> layers, Func<LayerRecord, T?> item,
        Func<T, byte[]> bytes)
        where T : class
    {
        var first = new List<LayerRecord>();
        var distinct = new List<T>();
        var byContent = new Dictionary<string, int>(StringComparer.Ordinal);
        var index = new Dictionary<T, int>(ReferenceEqualityComparer.Instance);
        foreach (var layer in layers)
        {
            if (item(layer) is not { } value || index.ContainsKey(value)) continue;
            var key = Convert.ToHexString(SHA256.HashData(bytes(value)));
            if (!byContent.TryGetValue(key, out int i))
            {
                i = distinct.Count;
                byContent[key] = i;
                distinct.Add(value);
                first.Add(layer);
            }
            index[value] = i;
        }
        return (distinct, index, first);
    }

    // For each fold, the latest earlier fold of a layer of the same name and channel count, or -1.
    private static int[] References(List<FoldedNorm> folds, List<LayerRecord> layers)
    {
        var latest = new Dictionary<string, int>(StringComparer.Ordinal);
        var references = new int[folds.Count];
        for (int i = 0; i < folds.Count; i++)
        {
            references[i] = latest.TryGetValue(layers[i].Name, out int r) && folds[r].Bias.Length == folds[i].Bias.Length ? r : -1;
            latest[layers[i].Name] = i;
        }
        return references;
    }

    private static ReadOnlySpan<float> Reference(List<FoldedNorm> folds, int reference, Func<FoldedNorm, float[]> part) =>
        reference < 0 ? default : part(folds[reference]);

    private static byte[] FoldBytes(FoldedNorm fold)
    {
        var bytes = new byte[8 * fold.Multiplier.Length];
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(fold.Multiplier.AsSpan()).CopyTo(bytes);
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(fold.Bias.AsSpan()).CopyTo(bytes.AsSpan(4 * fold.Multiplier.Length));
        return bytes;
    }

    private static int LayoutIndex(List<LayerRecord[]> layouts, IReadOnlyList<LayerRecord> layers)
    {
        for (int i = 0; i < layouts.Count; i++)
            if (layouts[i].Length == layers.Count && layouts[i].Zip(layers).All(pair => SameLayout(pair.First, pair.Second))) return i;
        layouts.Add(layers.ToArray());
        return layouts.Count - 1;
    }

    private static bool SameLayout(LayerRecord a, LayerRecord b) =>
        a.Kind == b.Kind && a.Name == b.Name && a.Input == b.Input && a.Residual == b.Residual && (a.Kind == LayerKind.GlobalAveragePool || a.Shape == b.Shape);

    private static void WriteLayout(BinaryWriter writer, LayerRecord layer)
    {
        writer.Write((byte)layer.Kind);
        writer.Write(layer.Name);
        writer.Write7BitEncodedInt(layer.Input + 1);
        writer.Write7BitEncodedInt(layer.Residual + 1);
        if (layer.Kind == LayerKind.GlobalAveragePool) return;
        var s = layer.Shape;
        foreach (int v in (int[])[s.InChannels, s.Height, s.Width, s.OutChannels, s.KernelSize, s.Stride, s.Padding]) writer.Write7BitEncodedInt(v);
    }

    private static LayerRecord ReadLayout(BoundedReader reader)
    {
        var kind = PlanDescriptionFormat.Defined<LayerKind>(reader.Byte(), "layer kind");
        string name = reader.String();
        int input = reader.VarInt($"layer {name}'s input") - 1, residual = reader.VarInt($"layer {name}'s residual") - 1;
        if (kind == LayerKind.GlobalAveragePool)
            return new LayerRecord(kind, name, input, residual, Rectifier.None, default, null, ActivationForm.Raw, null);
        int Next(string field) => reader.VarInt($"layer {name}'s {field}");
        var shape = new ConvolutionShape(Next("input channels"), Next("height"), Next("width"), Next("output channels"), Next("kernel size"), Next("stride"), Next("padding"));
        return new LayerRecord(kind, name, input, residual, Rectifier.None, shape, null, ActivationForm.Raw, null);
    }

    private static int Index(int index, int count, string owner, string item) =>
        index < count ? index : throw new InvalidDataException($"{owner} uses {item} {index}; the model holds {count}.");
}
