using System.Text;

namespace Microsoft.ML.SwitchablePrecision.Persistence;

/// <summary>
/// Reads a payload that is wholly in memory, checking every declared count against the bytes that really remain
/// before allocating for it, so a forged count fails with a message naming the field instead of allocating.
/// </summary>
internal sealed class BoundedReader(byte[] payload, int offset, string subject)
{
    private readonly BinaryReader _reader = new(new MemoryStream(payload, offset, payload.Length - offset, writable: false), Encoding.UTF8);

    /// <summary>Bytes not read yet.</summary>
    public long Remaining => _reader.BaseStream.Length - _reader.BaseStream.Position;

    public byte Byte() => _reader.ReadByte();

    public int Int32() => _reader.ReadInt32();

    public long Int64() => _reader.ReadInt64();

    public float Single() => _reader.ReadSingle();

    public string String() => _reader.ReadString();

    /// <summary>A 7-bit encoded non-negative integer.</summary>
    /// <exception cref="InvalidDataException">Its encoding runs past 32 bits; the message names <paramref name="field"/>.</exception>
    public int VarInt(string field)
    {
        try
        {
            return _reader.Read7BitEncodedInt() is var value and >= 0 ? value
                : throw new InvalidDataException($"{subject}'s {field} is negative.");
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"{subject}'s {field} is not a valid 7-bit encoded integer.", e);
        }
    }

    /// <summary>A 7-bit encoded count of items of at least <paramref name="itemBytes"/> bytes each that must fit in what remains.</summary>
    public int VarCount(string field, long itemBytes)
    {
        int count = VarInt(field);
        Check(field, count, itemBytes);
        return count;
    }

    /// <summary>A count of items of <paramref name="itemBytes"/> bytes each that must fit in what remains.</summary>
    public int Count(string field, long itemBytes)
    {
        int count = _reader.ReadInt32();
        Check(field, count, itemBytes);
        return count;
    }

    /// <summary>Fails unless <paramref name="count"/> items of <paramref name="itemBytes"/> bytes fit in what remains.</summary>
    public void Check(string field, long count, long itemBytes)
    {
        if (count < 0 || count * itemBytes > Remaining)
            throw new InvalidDataException($"{subject}'s {field} declares {count} entries, but only {Remaining} bytes remain.");
    }

    public float[] Floats(string field, int count)
    {
        Check(field, count, sizeof(float));
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = _reader.ReadSingle();
        return values;
    }

    public byte[] Bytes(string field, long count)
    {
        Check(field, count, 1);
        return _reader.ReadBytes((int)count);
    }
}
