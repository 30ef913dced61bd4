namespace Microsoft.ML.SwitchablePrecision.Persistence;

/// <summary>
/// The float values of a compact model's folds and full-precision weights, gathered in one section and stored as byte
/// planes (all lowest bytes, then the next, up to the sign-and-exponent bytes): a plane of exponents is nearly constant,
/// so the .zip's deflate packs it far better than the same bytes interleaved with random mantissas. The values are float32
/// (four planes) or, with <see cref="InferenceFloatStorage.Float16"/>, IEEE binary16 (two planes), which a writer must
/// only be given when every value is exactly a binary16 (<see cref="HalfPrecisionRounding"/>).
/// </summary>
internal sealed class FloatSection
{
    private readonly List<float> _written = [];
    private readonly float[] _read = [];
    private int _next;

    private FloatSection(InferenceFloatStorage storage) => Storage = storage;

    private FloatSection(InferenceFloatStorage storage, float[] values)
    {
        Storage = storage;
        _read = values;
    }

    /// <summary>How the values are stored.</summary>
    public InferenceFloatStorage Storage { get; }

    /// <summary>Values not taken yet by a reader.</summary>
    public int Remaining => _read.Length - _next;

    /// <summary>An empty section to write into.</summary>
    public static FloatSection ForWriting(InferenceFloatStorage storage) => new(storage);

    /// <summary>Appends <paramref name="values"/>.</summary>
    /// <exception cref="InvalidOperationException">A value is not exactly a binary16 in a binary16 section.</exception>
    public void Add(ReadOnlySpan<float> values)
    {
        if (Storage == InferenceFloatStorage.Float16)
            foreach (float v in values)
                if (BitConverter.SingleToInt32Bits((float)(Half)v) != BitConverter.SingleToInt32Bits(v))
                    throw new InvalidOperationException($"The value {v} is not exactly a float16; round the plans before storing them as float16.");
        foreach (float v in values) _written.Add(v);
    }

    /// <summary>The next <paramref name="count"/> values.</summary>
    /// <exception cref="InvalidDataException">Fewer remain; the message names <paramref name="field"/>.</exception>
    public float[] Take(string field, int count)
    {
        if (count < 0 || count > Remaining)
            throw new InvalidDataException($"The {field} needs {count} float values, but only {Remaining} of the model's {_read.Length} remain.");
        var values = _read.AsSpan(_next, count).ToArray();
        _next += count;
        return values;
    }

    /// <summary>Writes byte storage, int32 count and the planes.</summary>
    public void Write(BinaryWriter writer)
    {
        writer.Write((byte)Storage);
        writer.Write(_written.Count);
        int width = ByteWidth(Storage);
        var words = _written.Select(v => width == 2 ? BitConverter.HalfToUInt16Bits((Half)v) : BitConverter.SingleToUInt32Bits(v)).ToArray();
        for (int plane = 0; plane < width; plane++)
            foreach (uint word in words) writer.Write((byte)(word >> 8 * plane));
    }

    /// <exception cref="InvalidDataException">An unknown storage, or more values than bytes remain.</exception>
    public static FloatSection Read(BoundedReader reader)
    {
        byte code = reader.Byte();
        if (code > (byte)InferenceFloatStorage.Float16)
            throw new InvalidDataException($"The float storage is {code}, which this build does not know (0: float32, 1: float16).");
        var storage = (InferenceFloatStorage)code;
        int width = ByteWidth(storage);
        int count = reader.Count("float value count", width);
        var words = new uint[count];
        for (int plane = 0; plane < width; plane++)
        {
            var bytes = reader.Bytes("float value plane", count);
            for (int i = 0; i < count; i++) words[i] |= (uint)bytes[i] << 8 * plane;
        }
        var values = new float[count];
        for (int i = 0; i < count; i++)
            values[i] = width == 2 ? (float)BitConverter.UInt16BitsToHalf((ushort)words[i]) : BitConverter.UInt32BitsToSingle(words[i]);
        return new FloatSection(storage, values);
    }

    private static int ByteWidth(InferenceFloatStorage storage) => storage == InferenceFloatStorage.Float16 ? 2 : 4;
}
