using System.Buffers.Binary;
using System.Text;

namespace Microsoft.ML.SwitchablePrecision.Inference.Stored;

/// <summary>
/// A network's stored state read without TorchSharp: the stream <c>Persistence.NetworkState</c> writes (int32 count;
/// per tensor int32 UTF-8 name length, name, int32 element type, int32 rank, int64 dimensions, raw little-endian
/// elements) as a table of named arrays. Every declared size is checked before anything is allocated for it: names
/// are at most <see cref="MaxNameBytes"/> bytes, ranks at most <see cref="MaxRank"/>, and a tensor's bytes must fit in
/// what the stream still holds (the byte limit given to <see cref="Read(BinaryReader, long)"/>), so a forged stream fails naming the
/// tensor instead of allocating. Whether the tensors are the ones an architecture needs is checked where they are
/// used (<see cref="Floats"/>, against the shape the architecture built from the stored options expects).
/// </summary>
internal sealed class StoredTensorTable
{
    /// <summary>The longest tensor name the format allows, in UTF-8 bytes.</summary>
    public const int MaxNameBytes = 1024;

    /// <summary>The highest rank the format allows.</summary>
    public const int MaxRank = 8;

    private readonly Dictionary<string, StoredTensor> _tensors;

    private StoredTensorTable(List<StoredTensor> tensors)
    {
        Tensors = tensors;
        _tensors = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    /// <summary>Every tensor, in stream order.</summary>
    public IReadOnlyList<StoredTensor> Tensors { get; }

    /// <summary>True when the table holds <paramref name="name"/>.</summary>
    public bool Contains(string name) => _tensors.ContainsKey(name);

    /// <summary>
    /// The float values of <paramref name="name"/>, which must have exactly <paramref name="expectedShape"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">The tensor is missing, not float32, or of another shape.</exception>
    public float[] Floats(string name, params long[] expectedShape)
    {
        if (!_tensors.TryGetValue(name, out var tensor))
            throw new InvalidDataException($"The stored weights have no tensor '{name}'; expected float32 {StoredTensor.Describe(expectedShape)}.");
        if (tensor.Type != StoredElementType.Float32 || !tensor.Shape.AsSpan().SequenceEqual(expectedShape))
            throw new InvalidDataException(
                $"Stored tensor '{name}' is {tensor.Type} {StoredTensor.Describe(tensor.Shape)}; expected float32 {StoredTensor.Describe(expectedShape)}.");
        return tensor.Floats;
    }

    /// <summary>The single float value of <paramref name="name"/> (a scalar quantizer parameter).</summary>
    public float Scalar(string name) => Floats(name)[0];

    /// <summary>Reads a state stream of at most <paramref name="byteLimit"/> bytes from <paramref name="reader"/>.</summary>
    /// <exception cref="InvalidDataException">A declared size is out of bounds, a name repeats, or the stream ends inside a tensor.</exception>
    public static StoredTensorTable Read(BinaryReader reader, long byteLimit)
    {
        long remaining = byteLimit;
        int count = ReadInt32(reader, ref remaining, "The stored weights' tensor count");
        // The smallest entry is a name length, an empty name, a type and rank 0: 12 bytes.
        if (count < 0 || count > remaining / 12)
            throw new InvalidDataException($"The stored weights declare {count} tensors, but only {remaining} bytes follow.");
        var tensors = new List<StoredTensor>(count);
        var names = new HashSet<string>(StringComparer.Ordinal);
        string previous = "(start)";
        for (int i = 0; i < count; i++)
        {
            var tensor = ReadTensor(reader, ref remaining, i, previous);
            if (!names.Add(tensor.Name)) throw new InvalidDataException($"Stored tensor '{tensor.Name}' appears twice.");
            tensors.Add(tensor);
            previous = tensor.Name;
        }
        return new StoredTensorTable(tensors);
    }

    /// <summary>Reads a whole in-memory state stream, which must end with its last tensor.</summary>
    public static StoredTensorTable Read(byte[] state)
    {
        using var reader = new BinaryReader(new MemoryStream(state, writable: false), Encoding.UTF8);
        var table = Read(reader, state.Length);
        if (reader.BaseStream.Position != state.Length)
            throw new InvalidDataException($"The stored weights end at byte {reader.BaseStream.Position} of {state.Length}.");
        return table;
    }

    /// <summary>
    /// Writes the table as the state stream it was read from: the same tensors in the same order, byte for byte, so a
    /// model loaded without TorchSharp saves back unchanged.
    /// </summary>
    public void Write(BinaryWriter writer)
    {
        writer.Write(Tensors.Count);
        foreach (var tensor in Tensors)
        {
            var name = Encoding.UTF8.GetBytes(tensor.Name);
            writer.Write(name.Length);
            writer.Write(name);
            writer.Write((int)tensor.Type);
            writer.Write(tensor.Shape.Length);
            foreach (long dimension in tensor.Shape) writer.Write(dimension);
            var bytes = new byte[tensor.Count * StoredTensor.ElementBytes(tensor.Type)];
            if (tensor.Type == StoredElementType.Float32)
                for (int i = 0; i < tensor.Floats.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), tensor.Floats[i]);
            else
                for (int i = 0; i < tensor.Integers.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * sizeof(long)), tensor.Integers[i]);
            writer.Write(bytes);
        }
    }

    private static StoredTensor ReadTensor(BinaryReader reader, ref long remaining, int index, string previous)
    {
        string where = $"Stored tensor {index} (after '{previous}')";
        int nameLength = ReadInt32(reader, ref remaining, where);
        if (nameLength is < 0 or > MaxNameBytes || nameLength > remaining)
            throw new InvalidDataException($"{where} declares a name of {nameLength} bytes; expected 0 to {MaxNameBytes} within the {remaining} bytes left.");
        var name = Encoding.UTF8.GetString(ReadExactly(reader, nameLength, ref remaining, where));
        where = $"Stored tensor '{name}'";
        int typeCode = ReadInt32(reader, ref remaining, where);
        if (!Enum.IsDefined((StoredElementType)typeCode))
            throw new InvalidDataException($"{where} has element type {typeCode}; expected {(int)StoredElementType.Float32} (float32) or {(int)StoredElementType.Int64} (int64).");
        var type = (StoredElementType)typeCode;
        int rank = ReadInt32(reader, ref remaining, where);
        if (rank is < 0 or > MaxRank)
            throw new InvalidDataException($"{where} has rank {rank}; expected 0 to {MaxRank}.");
        var shape = new long[rank];
        long count = 1;
        int elementBytes = StoredTensor.ElementBytes(type);
        for (int d = 0; d < rank; d++)
        {
            shape[d] = ReadInt64(reader, ref remaining, where);
            if (shape[d] < 0 || (shape[d] > 0 && count > remaining / elementBytes / shape[d]))
                throw new InvalidDataException($"{where} declares dimension {d} of {shape[d]}: more than the {remaining} bytes left can hold.");
            count *= shape[d];
        }
        var bytes = ReadExactly(reader, checked((int)(count * elementBytes)), ref remaining, where);
        return type == StoredElementType.Float32
            ? new StoredTensor(name, type, shape, ToFloats(bytes), [])
            : new StoredTensor(name, type, shape, [], ToLongs(bytes));
    }

    private static float[] ToFloats(byte[] bytes)
    {
        var values = new float[bytes.Length / sizeof(float)];
        for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * sizeof(float)));
        return values;
    }

    private static long[] ToLongs(byte[] bytes)
    {
        var values = new long[bytes.Length / sizeof(long)];
        for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(i * sizeof(long)));
        return values;
    }

    private static int ReadInt32(BinaryReader reader, ref long remaining, string where) =>
        BinaryPrimitives.ReadInt32LittleEndian(ReadExactly(reader, sizeof(int), ref remaining, where));

    private static long ReadInt64(BinaryReader reader, ref long remaining, string where) =>
        BinaryPrimitives.ReadInt64LittleEndian(ReadExactly(reader, sizeof(long), ref remaining, where));

    private static byte[] ReadExactly(BinaryReader reader, int count, ref long remaining, string where)
    {
        if (count > remaining) throw new InvalidDataException($"The stored weights end inside {Lower(where)}: {count} bytes needed, {remaining} left.");
        var bytes = reader.ReadBytes(count);
        if (bytes.Length != count) throw new InvalidDataException($"The stored weights end inside {Lower(where)}: {count} bytes needed, {bytes.Length} read.");
        remaining -= count;
        return bytes;
    }

    private static string Lower(string where) => char.ToLowerInvariant(where[0]) + where[1..];
}
