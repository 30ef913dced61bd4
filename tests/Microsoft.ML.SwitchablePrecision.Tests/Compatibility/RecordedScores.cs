using System.Text.Json;
using Microsoft.ML.Data;
using Microsoft.ML.SwitchablePrecision.Data;
using Microsoft.ML.SwitchablePrecision.Tests.Data;

namespace Microsoft.ML.SwitchablePrecision.Tests.Compatibility;

/// <summary>
/// A scores file written beside a model asset by tests/SpNet.CompatibilityAssets: the stored active switch and the
/// scores at every switch on the first 8 test images of the embedded subset; and the comparison of a loaded model with it.
/// </summary>
internal sealed class RecordedScores
{
    // The scores were recorded in the writing process; the same arithmetic in another process and build may differ in
    // the last bits of a float sum, never more.
    public const float Tolerance = 1e-5f;

    public string ActivePrecision { get; set; } = "";

    public Dictionary<string, float[][]> Scores { get; set; } = [];

    public static RecordedScores Read(string path) => JsonSerializer.Deserialize<RecordedScores>(File.ReadAllText(path))!;

    /// <summary>The 8 images the scores were recorded on.</summary>
    public static IDataView Images(MLContext context) => context.Data.LoadFromEnumerable(Rows(FashionMnist.Load(SubsetData.Folder, train: false).Take(8)));

    /// <summary>Requires <paramref name="model"/>'s scores on <paramref name="images"/> at every recorded switch; leaves <paramref name="spNet"/> at <paramref name="restore"/>.</summary>
    public void AssertScores(MLContext context, ITransformer model, SwitchablePrecisionTransformer spNet, IDataView images, string name, Precision restore)
    {
        foreach (var (switchName, expected) in Scores)
        {
            spNet.Precision = Precision.Parse(switchName);
            var actual = context.Data.CreateEnumerable<Scored>(model.Transform(images), reuseRowObject: false).Select(r => r.Score).ToArray();
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
                for (int c = 0; c < expected[i].Length; c++)
                    Assert.True(Math.Abs(expected[i][c] - actual[i][c]) <= Tolerance,
                        $"{name} at {switchName}, image {i}, class {c}: recorded {expected[i][c]}, now {actual[i][c]}.");
        }
        spNet.Precision = restore;
    }

    private static IEnumerable<Row> Rows(ImageDataset data)
    {
        for (int i = 0; i < data.Count; i++)
            yield return new Row { Label = (uint)data.Labels[i], Features = data.Pixels.AsSpan(i * data.ImageSize, data.ImageSize).ToArray() };
    }

    private sealed class Row
    {
        public uint Label { get; set; }

        [VectorType(784)]
        public float[] Features { get; set; } = [];
    }

    private sealed class Scored
    {
        public float[] Score { get; set; } = [];
    }
}
