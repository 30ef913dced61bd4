using Microsoft.ML.SwitchablePrecision.Inference.Quantizers;
using Microsoft.ML.SwitchablePrecision.Quantization;

namespace Microsoft.ML.SwitchablePrecision.Persistence;

/// <summary>
/// One layer's weights as a compact model stores them: int32 bits, rows and depth, then at 32 bits the floats; below,
/// the grid (float scale, int32 minimum, maximum, spacing) and each weight's grid index <c>(level - minimum) / spacing</c>
/// in <c>bits</c> bits, least significant first (1-bit weights are one bit each); then how to get the float values the
/// float kernels multiply with, which must be exactly the quantizer's output: flag byte 0 when every value is
/// <c>level * scale</c>; 2 and a table of <c>2^bits</c> floats, one per grid index, when each level has one value
/// (DoReFa computes <c>2 r / n - 1</c>, which can differ from <c>level / n</c> in the last bit); 1 and every value as
/// a float otherwise.
/// </summary>
internal static class StoredWeights
{
    public static byte[] Encode(WeightLevels weights)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer)) Write(writer, weights, floats: null);
        return buffer.ToArray();
    }

    public static WeightLevels Decode(BoundedReader reader) => Read(reader, floats: null);

    /// <summary>Writes <paramref name="weights"/>; full-precision values go to <paramref name="floats"/> when given (compact format version 2), else inline.</summary>
    public static void Write(BinaryWriter writer, WeightLevels weights, FloatSection? floats)
    {
        writer.Write(weights.Bits);
        writer.Write(weights.Rows);
        writer.Write(weights.Depth);
        if (weights.IsFullPrecision)
        {
            if (floats is not null) floats.Add(weights.Values);
            else foreach (float v in weights.Values) writer.Write(v);
        }
        else
        {
            var grid = weights.Grid;
            writer.Write(grid.Scale);
            writer.Write(grid.Minimum);
            writer.Write(grid.Maximum);
            writer.Write(grid.Spacing);
            writer.Write(Pack(weights.Levels, grid, weights.Bits));
            bool derived = ValuesAreDerived(weights);
            var table = derived ? null : ValueTable(weights);
            writer.Write((byte)(derived ? 0 : table is null ? 1 : 2));
            if (!derived)
                foreach (float v in table ?? weights.Values) writer.Write(v);
        }
    }

    /// <summary>Reads what <see cref="Write"/> wrote with the same <paramref name="floats"/> (null: inline values).</summary>
    public static WeightLevels Read(BoundedReader reader, FloatSection? floats)
    {
        int bits = reader.Int32(), rows = reader.Int32(), depth = reader.Int32();
        if (!Precision.IsValidBits(bits)) throw new InvalidDataException($"A stored weight tensor has {bits} bits; expected 1 to 8 or 32.");
        if (rows <= 0 || depth <= 0) throw new InvalidDataException($"A stored weight tensor is [{rows}, {depth}]; expected positive sizes.");
        long count = (long)rows * depth;
        if (UniformLevels.IsFullPrecision(bits))
        {
            if (floats is not null)
            {
                if (count > floats.Remaining) throw new InvalidDataException($"A stored [{rows}, {depth}] float weight tensor needs {count} float values; {floats.Remaining} remain.");
                return WeightLevels.FullPrecision(floats.Take("float weight tensor", (int)count), rows, depth);
            }
            reader.Check("weight values", count, sizeof(float));
            return WeightLevels.FullPrecision(reader.Floats("weight values", (int)count), rows, depth);
        }
        var grid = new WeightGrid(reader.Single(), reader.Int32(), reader.Int32(), reader.Int32());
        if (grid.Spacing <= 0 || grid.Minimum > grid.Maximum)
            throw new InvalidDataException($"A stored weight grid runs from {grid.Minimum} to {grid.Maximum} in steps of {grid.Spacing}; expected a positive step and minimum <= maximum.");
        var packed = reader.Bytes("weight levels", (count * bits + 7) / 8);
        var levels = Unpack(packed, (int)count, bits, grid);
        var values = reader.Byte() switch
        {
            0 => Derived(levels, grid.Scale),
            1 => reader.Floats("weight values", (int)count),
            2 => FromTable(levels, grid, reader.Floats("weight value table", 1 << bits)),
            var flag => throw new InvalidDataException($"A stored weight tensor's value flag is {flag}; expected 0, 1 or 2."),
        };
        try
        {
            return WeightLevels.FromStored(levels, values, rows, depth, bits, grid);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException(e.Message, e);
        }
    }

    private static bool ValuesAreDerived(WeightLevels weights)
    {
        for (int i = 0; i < weights.Levels.Length; i++)
            if (BitConverter.SingleToInt32Bits(weights.Levels[i] * weights.Scale) != BitConverter.SingleToInt32Bits(weights.Values[i])) return false;
        return true;
    }

    // One value per grid index, or null when two weights of one level have different values.
    private static float[]? ValueTable(WeightLevels weights)
    {
        var table = new float[1 << weights.Bits];
        var seen = new bool[table.Length];
        for (int i = 0; i < weights.Levels.Length; i++)
        {
            int code = (weights.Levels[i] - weights.Grid.Minimum) / weights.Grid.Spacing;
            float value = weights.Values[i];
            if (seen[code] && BitConverter.SingleToInt32Bits(table[code]) != BitConverter.SingleToInt32Bits(value)) return null;
            table[code] = value;
            seen[code] = true;
        }
        return table;
    }

    private static float[] FromTable(int[] levels, WeightGrid grid, float[] table)
    {
        var values = new float[levels.Length];
        for (int i = 0; i < levels.Length; i++) values[i] = table[(levels[i] - grid.Minimum) / grid.Spacing];
        return values;
    }

    private static float[] Derived(int[] levels, float scale)
    {
        var values = new float[levels.Length];
        for (int i = 0; i < levels.Length; i++) values[i] = levels[i] * scale;
        return values;
    }

    private static byte[] Pack(int[] levels, WeightGrid grid, int bits)
    {
        var packed = new byte[((long)levels.Length * bits + 7) / 8];
        long position = 0;
        foreach (int level in levels)
        {
            int offset = level - grid.Minimum;
            if (offset < 0 || offset % grid.Spacing != 0 || offset / grid.Spacing >> bits != 0)
                throw new InvalidOperationException($"Weight level {level} is not on its {bits}-bit grid {grid}.");
            int code = offset / grid.Spacing;
            for (int b = 0; b < bits; b++, position++)
                if ((code >> b & 1) != 0) packed[position >> 3] |= (byte)(1 << (int)(position & 7));
        }
        return packed;
    }

    private static int[] Unpack(byte[] packed, int count, int bits, WeightGrid grid)
    {
        var levels = new int[count];
        long position = 0;
        for (int i = 0; i < count; i++)
        {
            int code = 0;
            for (int b = 0; b < bits; b++, position++)
                code |= (packed[position >> 3] >> (int)(position & 7) & 1) << b;
            levels[i] = grid.Minimum + grid.Spacing * code;
        }
        return levels;
    }
}
