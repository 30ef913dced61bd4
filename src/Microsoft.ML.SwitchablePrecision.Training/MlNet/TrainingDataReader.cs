using Microsoft.ML.Data;
using Microsoft.ML.SwitchablePrecision.Data;

namespace Microsoft.ML.SwitchablePrecision;

/// <summary>Reads an <see cref="IDataView"/> of images and key labels into memory, skipping unusable rows.</summary>
internal static class TrainingDataReader
{
    /// <summary>The rows read, and how many were skipped for a missing label or non-finite pixels.</summary>
    public sealed record Result(ImageDataset Data, long SkippedMissingLabel, long SkippedBadFeatures);

    public static Result Read(IDataView data, string featureColumn, string labelColumn, ImageGeometry geometry,
        int classes, IReadOnlyList<string> classNames, CancellationToken cancellationToken = default)
    {
        var features = data.Schema[featureColumn];
        var label = data.Schema[labelColumn];
        int size = geometry.Size;
        long maxRows = Array.MaxLength / size;
        var pixels = new float[size * Math.Clamp(data.GetRowCount() ?? 1024, 1, maxRows)];
        var labels = new List<int>();
        long missingLabel = 0, badFeatures = 0;

        using var cursor = data.GetRowCursor([features, label]);
        var getFeatures = cursor.GetGetter<VBuffer<float>>(features);
        var getLabel = KeyValues.RawKeyGetter(cursor, label);
        var row = default(VBuffer<float>);
        while (cursor.MoveNext())
        {
            cancellationToken.ThrowIfCancellationRequested();
            ulong key = getLabel();
            if (key == 0 || key > (ulong)classes)
            {
                missingLabel++;
                continue;
            }
            getFeatures(ref row);
            if ((long)(labels.Count + 1) * size > pixels.LongLength)
            {
                if (labels.Count >= maxRows)
                    throw new InvalidOperationException(
                        $"The {labels.Count} images of {geometry} already read are the most one in-memory training set can hold; train on fewer or smaller images.");
                Array.Resize(ref pixels, (int)Math.Min((long)pixels.Length * 2, maxRows * size));
            }
            if (!Scoring.ReadRow(row, pixels.AsSpan(labels.Count * size, size), featureColumn, cursor.Position, geometry))
            {
                badFeatures++;
                continue;
            }
            labels.Add((int)(key - 1));
        }
        Array.Resize(ref pixels, labels.Count * size);
        var dataset = new ImageDataset(pixels, labels.ToArray(), geometry.Channels, geometry.Height, geometry.Width, classes, classNames);
        return new Result(dataset, missingLabel, badFeatures);
    }
}
