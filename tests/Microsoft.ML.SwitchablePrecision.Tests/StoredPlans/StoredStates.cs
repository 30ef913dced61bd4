using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Inference.Description;
using Microsoft.ML.SwitchablePrecision.Inference.Stored;
using Microsoft.ML.SwitchablePrecision.Persistence;

namespace Microsoft.ML.SwitchablePrecision.Tests.StoredPlans;

/// <summary>A network's state as a full model stores it, and comparisons of plan descriptions.</summary>
internal static class StoredStates
{
    /// <summary>The bytes <see cref="NetworkState.Write"/> writes for <paramref name="network"/>.</summary>
    public static byte[] Bytes(SwitchableNetwork network)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true)) NetworkState.Write(network, writer);
        return buffer.ToArray();
    }

    /// <summary>The table read back from <see cref="Bytes"/>.</summary>
    public static StoredTensorTable Table(SwitchableNetwork network) => StoredTensorTable.Read(Bytes(network));

    /// <summary>How two descriptions of one switch differ: weight levels, weight values, grids, folds and input forms that are not bit for bit equal.</summary>
    public static DescriptionDifference Compare(PlanDescription expected, PlanDescription actual)
    {
        Assert.Equal(expected.Precision, actual.Precision);
        Assert.Equal(expected.Input.Channels, actual.Input.Channels);
        Assert.Equal(expected.Input.Mean, actual.Input.Mean);
        Assert.Equal(expected.Input.Std, actual.Input.Std);
        Assert.Equal(expected.Layers.Count, actual.Layers.Count);
        var difference = new DescriptionDifference();
        for (int i = 0; i < expected.Layers.Count; i++)
        {
            var (e, a) = (expected.Layers[i], actual.Layers[i]);
            Assert.Equal((e.Kind, e.Name, e.Input, e.Residual, e.Rectifier, e.Shape), (a.Kind, a.Name, a.Input, a.Residual, a.Rectifier, a.Shape));
            if (e.InputForm != a.InputForm) difference.InputForms.Add(e.Name);
            if (e.Fold is not null && (!SameBits(e.Fold.Multiplier, a.Fold!.Multiplier) || !SameBits(e.Fold.Bias, a.Fold.Bias))) difference.Folds.Add(e.Name);
            if (e.Weights is null) continue;
            var (ew, aw) = (e.Weights, a.Weights!);
            Assert.Equal((ew.Bits, ew.Rows, ew.Depth, ew.Grid.Minimum, ew.Grid.Maximum, ew.Grid.Spacing), (aw.Bits, aw.Rows, aw.Depth, aw.Grid.Minimum, aw.Grid.Maximum, aw.Grid.Spacing));
            if (BitConverter.SingleToInt32Bits(ew.Scale) != BitConverter.SingleToInt32Bits(aw.Scale))
            {
                difference.Scales.Add(e.Name);
                difference.LargestScaleUlps = Math.Max(difference.LargestScaleUlps, Math.Abs(BitConverter.SingleToInt32Bits(ew.Scale) - BitConverter.SingleToInt32Bits(aw.Scale)));
            }
            // A value may differ only through its level or its layer's scale.
            if (ew.Bits != 1 && ew.Scale == aw.Scale)
                Assert.True(ew.Values.Zip(aw.Values, ew.Levels.Length == 0 ? ew.Values.Select(_ => 0) : ew.Levels.Zip(aw.Levels, (x, y) => x - y))
                    .All(t => t.Third != 0 || BitConverter.SingleToInt32Bits(t.First) == BitConverter.SingleToInt32Bits(t.Second)), $"{e.Name}: a value differs at an equal level");
            difference.Weights += ew.Levels.Length == 0 ? ew.Values.Length : ew.Levels.Length;
            difference.Levels += ew.Levels.Zip(aw.Levels).Count(p => p.First != p.Second);
            difference.Values += ew.Values.Zip(aw.Values).Count(p => BitConverter.SingleToInt32Bits(p.First) != BitConverter.SingleToInt32Bits(p.Second));
        }
        return difference;
    }

    private static bool SameBits(float[] x, float[] y) =>
        x.Length == y.Length && x.Zip(y).All(p => BitConverter.SingleToInt32Bits(p.First) == BitConverter.SingleToInt32Bits(p.Second));
}

/// <summary>What differs between two descriptions of one switch.</summary>
internal sealed class DescriptionDifference
{
    public long Weights { get; set; }

    public long Levels { get; set; }

    public long Values { get; set; }

    public List<string> Scales { get; } = [];

    /// <summary>The largest difference of a layer's scale, in units in the last place.</summary>
    public int LargestScaleUlps { get; set; }

    /// <summary>True when nothing differs.</summary>
    public bool IsNone => Levels == 0 && Values == 0 && Scales.Count == 0 && Folds.Count == 0 && InputForms.Count == 0;

    public List<string> Folds { get; } = [];

    public List<string> InputForms { get; } = [];

    public override string ToString() =>
        $"{Levels} of {Weights} levels, {Values} values, {Scales.Count} scales (at most {LargestScaleUlps} ulp), folds [{string.Join(", ", Folds)}], input forms [{string.Join(", ", InputForms)}]";
}
