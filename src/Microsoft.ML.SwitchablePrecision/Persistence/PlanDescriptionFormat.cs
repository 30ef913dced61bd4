using System.Security.Cryptography;
using Microsoft.ML.SwitchablePrecision.Inference.Description;
using Microsoft.ML.SwitchablePrecision.Inference.Layout;
using Microsoft.ML.SwitchablePrecision.Inference.Quantizers;
using Microsoft.ML.SwitchablePrecision.Inference.Steps;
using Microsoft.ML.SwitchablePrecision.Quantization;

namespace Microsoft.ML.SwitchablePrecision.Persistence;

/// <summary>
/// The binary form of several switches' <see cref="PlanDescription"/>s: int32 count of distinct weight tensors, each
/// as int32 length and its <see cref="StoredWeights"/> bytes (a tensor that several layers or switches use, such as the
/// binary family's 1-bit weights, is stored once); int32 count of plans; per plan its switch (string), the input
/// (int32 channels, height, width, the mean and std as int32 count and floats), int32 count of layers and per layer:
/// byte kind, string name, int32 input and residual (-1: none), byte rectifier; for all but a pool the seven int32 of
/// its shape (in channels, height, width, out channels, kernel, stride, padding), int32 weight index, the input form
/// (byte encoding; for levels byte quantizer, byte bits, float learned value) and the fold (int32 channels, the
/// multipliers, the biases). This is compact format version 1, which this build still reads; version 2 writes
/// <see cref="PooledPlanDescriptionFormat"/>.
/// </summary>
internal static class PlanDescriptionFormat
{
    public static void Write(BinaryWriter writer, IReadOnlyList<PlanDescription> plans)
    {
        var pool = new List<byte[]>();
        var indices = new Dictionary<string, int>(StringComparer.Ordinal);
        var layerWeights = new Dictionary<WeightLevels, int>(ReferenceEqualityComparer.Instance);
        foreach (var layer in plans.SelectMany(p => p.Layers))
        {
            if (layer.Weights is not { } weights || layerWeights.ContainsKey(weights)) continue;
            var bytes = StoredWeights.Encode(weights);
            var key = Convert.ToHexString(SHA256.HashData(bytes));
            if (!indices.TryGetValue(key, out int index))
            {
                index = pool.Count;
                indices[key] = index;
                pool.Add(bytes);
            }
            layerWeights[weights] = index;
        }
        writer.Write(pool.Count);
        foreach (var bytes in pool)
        {
            writer.Write(bytes.Length);
            writer.Write(bytes);
        }
        writer.Write(plans.Count);
        foreach (var plan in plans)
        {
            writer.Write(plan.Precision.ToString());
            WriteInput(writer, plan.Input);
            writer.Write(plan.Layers.Count);
            foreach (var layer in plan.Layers) WriteLayer(writer, layer, layer.Weights is null ? -1 : layerWeights[layer.Weights]);
        }
    }

    /// <exception cref="InvalidDataException">A field is out of range or a count exceeds the bytes that remain; the message names it.</exception>
    public static IReadOnlyList<PlanDescription> Read(BoundedReader reader)
    {
        int poolCount = reader.Count("weight tensor count", sizeof(int));
        var pool = new WeightLevels[poolCount];
        for (int i = 0; i < poolCount; i++)
        {
            int length = reader.Count("weight tensor length", 1);
            long before = reader.Remaining;
            pool[i] = StoredWeights.Decode(reader);
            if (before - reader.Remaining != length)
                throw new InvalidDataException($"Weight tensor {i} declares {length} bytes but holds {before - reader.Remaining}.");
        }
        int planCount = reader.Count("plan count", sizeof(int));
        var plans = new PlanDescription[planCount];
        for (int p = 0; p < planCount; p++)
        {
            string text = reader.String();
            if (!Precision.TryParse(text, out var precision)) throw new InvalidDataException($"Plan {p}'s switch '{text}' is not a valid precision.");
            var input = ReadInput(reader);
            int layerCount = reader.Count($"plan {precision}'s layer count", sizeof(int));
            var layers = new LayerRecord[layerCount];
            for (int l = 0; l < layerCount; l++) layers[l] = ReadLayer(reader, pool, precision);
            plans[p] = new PlanDescription(precision, input, layers);
        }
        return plans;
    }

    internal static void WriteInput(BinaryWriter writer, InputRecord input)
    {
        writer.Write(input.Channels);
        writer.Write(input.Height);
        writer.Write(input.Width);
        WriteFloats(writer, input.Mean);
        WriteFloats(writer, input.Std);
    }

    internal static InputRecord ReadInput(BoundedReader reader)
    {
        int channels = reader.Int32(), height = reader.Int32(), width = reader.Int32();
        var mean = reader.Floats("input mean", reader.Int32());
        var std = reader.Floats("input std", reader.Int32());
        return new InputRecord(channels, height, width, mean, std);
    }

    private static void WriteLayer(BinaryWriter writer, LayerRecord layer, int weightIndex)
    {
        writer.Write((byte)layer.Kind);
        writer.Write(layer.Name);
        writer.Write(layer.Input);
        writer.Write(layer.Residual);
        writer.Write((byte)layer.Rectifier);
        if (layer.Kind == LayerKind.GlobalAveragePool) return;
        var s = layer.Shape;
        foreach (int v in (int[])[s.InChannels, s.Height, s.Width, s.OutChannels, s.KernelSize, s.Stride, s.Padding]) writer.Write(v);
        writer.Write(weightIndex);
        WriteForm(writer, layer.InputForm);
        writer.Write(layer.Fold!.Multiplier.Length);
        foreach (float v in layer.Fold.Multiplier) writer.Write(v);
        foreach (float v in layer.Fold.Bias) writer.Write(v);
    }

    private static LayerRecord ReadLayer(BoundedReader reader, WeightLevels[] pool, Precision precision)
    {
        var kind = Defined<LayerKind>(reader.Byte(), "layer kind");
        string name = reader.String();
        int input = reader.Int32(), residual = reader.Int32();
        var rectifier = Defined<Rectifier>(reader.Byte(), $"rectifier of layer {name}");
        if (kind == LayerKind.GlobalAveragePool)
            return new LayerRecord(kind, name, input, residual, rectifier, default, null, ActivationForm.Raw, null);
        var shape = new ConvolutionShape(reader.Int32(), reader.Int32(), reader.Int32(), reader.Int32(), reader.Int32(), reader.Int32(), reader.Int32());
        int weightIndex = reader.Int32();
        if (weightIndex < 0 || weightIndex >= pool.Length)
            throw new InvalidDataException($"Layer {name} of {precision} uses weight tensor {weightIndex}; the model holds {pool.Length}.");
        var form = ReadForm(reader, name);
        int channels = reader.Int32();
        reader.Check($"fold of layer {name}", channels, 2 * sizeof(float));
        var fold = new FoldedNorm(reader.Floats($"fold of layer {name}", channels), reader.Floats($"fold of layer {name}", channels));
        return new LayerRecord(kind, name, input, residual, rectifier, shape, pool[weightIndex], form, fold);
    }

    internal static void WriteForm(BinaryWriter writer, ActivationForm form)
    {
        writer.Write((byte)form.Encoding);
        if (form.Quantizer is not { } quantizer) return;
        writer.Write((byte)quantizer.Kind);
        writer.Write((byte)quantizer.Bits);
        writer.Write(quantizer.Learned);
    }

    internal static ActivationForm ReadForm(BoundedReader reader, string layer)
    {
        var encoding = Defined<ActivationEncoding>(reader.Byte(), $"input form of layer {layer}");
        switch (encoding)
        {
            case ActivationEncoding.Raw: return ActivationForm.Raw;
            case ActivationEncoding.Clipped: return ActivationForm.Clipped;
        }
        var kind = Defined<QuantizerKind>(reader.Byte(), $"quantizer of layer {layer}");
        int bits = reader.Byte();
        float learned = reader.Single();
        if (bits is < 1 or > Precision.MaxQuantizedBits)
            throw new InvalidDataException($"Layer {layer}'s input quantizer has {bits} bits; expected 1 to {Precision.MaxQuantizedBits}.");
        if (!float.IsFinite(learned))
            throw new InvalidDataException($"Layer {layer}'s input quantizer has the learned value {learned}; expected a finite number.");
        var quantizer = QuantizerRegistry.Get(kind).RestoreLevels(bits, learned);
        return encoding == ActivationEncoding.Levels ? ActivationForm.Levels(quantizer) : ActivationForm.Dequantized(quantizer);
    }

    private static void WriteFloats(BinaryWriter writer, float[] values)
    {
        writer.Write(values.Length);
        foreach (float v in values) writer.Write(v);
    }

    internal static T Defined<T>(byte value, string field) where T : struct, Enum
    {
        var parsed = (T)Enum.ToObject(typeof(T), value);
        return Enum.IsDefined(parsed) ? parsed : throw new InvalidDataException($"The {field} is {value}, which this build does not know.");
    }
}
