using System.Collections;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Data;

namespace Microsoft.ML.SwitchablePrecision.Training.Checkpoints;

/// <summary>
/// Text that identifies a training run: the network's shape and switches, every trainer setting that changes the
/// result, and a hash of the training data. A checkpoint is resumed only by a run with the same text.
/// </summary>
internal static class RunFingerprint
{
    // Settings that do not change what is computed: where and how often checkpoints go, and torch's thread count.
    private static readonly string[] Ignored =
        [nameof(TrainerOptions.CheckpointFolder), nameof(TrainerOptions.CheckpointInterval), nameof(TrainerOptions.Threads)];

    public static string Of(SwitchableNetwork network, ImageDataset train, TrainerOptions options)
    {
        var o = network.Options;
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"network {o.Architecture} x{o.WidthMultiplier:R} {o.InputChannels}x{o.Height}x{o.Width} classes {o.Classes} switches {string.Join(",", network.Switches)} ");
        text.Append(CultureInfo.InvariantCulture, $"quantizer {o.Quantizer} parameters {network.ParameterCount}; ");
        foreach (var property in typeof(TrainerOptions).GetProperties().Where(p => !Ignored.Contains(p.Name)).OrderBy(p => p.Name, StringComparer.Ordinal))
            text.Append(CultureInfo.InvariantCulture, $"{property.Name}={Format(property.GetValue(options))} ");
        text.Append(CultureInfo.InvariantCulture, $"; data {train.Count} images {DataHash(train)}");
        return text.ToString();
    }

    private static string Format(object? value) => value switch
    {
        null => "null",
        string s => s,
        IEnumerable items => "[" + string.Join(" ", items.Cast<object?>().Select(Format)) + "]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static string DataHash(ImageDataset data)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(MemoryMarshal.AsBytes(data.Pixels.AsSpan()));
        hash.AppendData(MemoryMarshal.AsBytes(data.Labels.AsSpan()));
        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }
}
