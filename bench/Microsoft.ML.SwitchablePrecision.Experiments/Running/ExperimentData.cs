using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.ML.SwitchablePrecision.Data;

namespace Microsoft.ML.SwitchablePrecision.Experiments.Running;

/// <summary>The training and test images of a matrix run, with an identifier derived from their content (never from a path).</summary>
internal sealed class ExperimentData
{
    /// <summary>Wraps the two splits and computes <see cref="Id"/>.</summary>
    public ExperimentData(ImageDataset train, ImageDataset test)
    {
        Train = train;
        Test = test;
        Id = string.Create(CultureInfo.InvariantCulture, $"fmnist{train.Count}-{test.Count}-{Fingerprint(train, test)}");
    }

    /// <summary>Training images.</summary>
    public ImageDataset Train { get; }

    /// <summary>Test images.</summary>
    public ImageDataset Test { get; }

    /// <summary>Image counts and the first 8 hex digits of a SHA-256 over pixels and labels, e.g. <c>fmnist60000-10000-1a2b3c4d</c>.</summary>
    public string Id { get; }

    /// <summary>
    /// Reads Fashion-MNIST from <paramref name="folder"/>; with a limit, keeps the first images of each class in turn
    /// (class-balanced) up to that many.
    /// </summary>
    public static ExperimentData Load(string folder, int? trainLimit = null, int? testLimit = null) =>
        new(Limit(FashionMnist.Load(folder, train: true), trainLimit), Limit(FashionMnist.Load(folder, train: false), testLimit));

    /// <summary>Up to <paramref name="limit"/> images taken round-robin over the classes in file order.</summary>
    internal static ImageDataset Limit(ImageDataset data, int? limit)
    {
        if (limit is null || limit >= data.Count) return data;
        if (limit < data.Classes)
            throw new ArgumentException($"Image limit {limit} is below the number of classes ({data.Classes}); expected at least one image per class.", nameof(limit));
        var byClass = Enumerable.Range(0, data.Classes).Select(c => new Queue<int>()).ToArray();
        for (int i = 0; i < data.Count; i++) byClass[data.Labels[i]].Enqueue(i);
        var chosen = new List<int>(limit.Value);
        while (chosen.Count < limit)
            foreach (var queue in byClass)
                if (chosen.Count < limit && queue.TryDequeue(out int index)) chosen.Add(index);
        chosen.Sort();
        return data.Select(chosen);
    }

    private static string Fingerprint(ImageDataset train, ImageDataset test)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var split in new[] { train, test })
        {
            hash.AppendData(MemoryMarshal.AsBytes(split.Pixels.AsSpan()));
            hash.AppendData(MemoryMarshal.AsBytes(split.Labels.AsSpan()));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset())[..8];
    }
}
