namespace Microsoft.ML.SwitchablePrecision.Inference.Stored;

/// <summary>
/// The element types a network's stored state holds, numbered as the state stream stores them (TorchSharp's
/// <c>ScalarType</c> codes, so that files written by the training side read unchanged).
/// </summary>
internal enum StoredElementType
{
    /// <summary>64-bit signed integers (BatchNorm's <c>num_batches_tracked</c> counters).</summary>
    Int64 = 4,

    /// <summary>32-bit floats (weights, BatchNorm statistics, quantizer state).</summary>
    Float32 = 6,
}

/// <summary>One named tensor of a stored network state: its element type, shape and values (row-major).</summary>
/// <param name="Name">The parameter or buffer path, e.g. <c>layer1.0.conv1.weight</c>.</param>
/// <param name="Type">The element type.</param>
/// <param name="Shape">The dimensions.</param>
/// <param name="Floats">The values of a <see cref="StoredElementType.Float32"/> tensor; empty otherwise.</param>
/// <param name="Integers">The values of a <see cref="StoredElementType.Int64"/> tensor; empty otherwise.</param>
internal sealed record StoredTensor(string Name, StoredElementType Type, long[] Shape, float[] Floats, long[] Integers)
{
    /// <summary>Elements: the product of the dimensions.</summary>
    public long Count => Shape.Aggregate(1L, (product, d) => product * d);

    /// <summary>Bytes of one element of <paramref name="type"/>.</summary>
    public static int ElementBytes(StoredElementType type) => type switch
    {
        StoredElementType.Int64 => sizeof(long),
        _ => sizeof(float),
    };

    /// <summary>The shape as text, e.g. <c>[16, 1, 3, 3]</c>.</summary>
    public static string Describe(IEnumerable<long> shape) => $"[{string.Join(", ", shape)}]";
}
