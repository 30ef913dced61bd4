using Microsoft.ML.SwitchablePrecision.Persistence;

namespace Microsoft.ML.SwitchablePrecision.Tests.Persistence;

/// <summary>
/// The float section of a compact model (format version 2) gives back every value bit for bit, as float32 or float16,
/// with or without a reference, stores its planes lowest byte first, and refuses what it cannot store or read.
/// </summary>
public class FloatSectionTests
{
    private static readonly float[] Values = [0f, -0f, 1f, -2.5f, 65504f, 6.1035156E-05f, 5.9604645E-08f, -1234f, 0.333251953125f];

    [Theory]
    [InlineData(InferenceFloatStorage.Float32)]
    [InlineData(InferenceFloatStorage.Float16)]
    public void ValuesComeBackBitForBitWithAndWithoutAReference(InferenceFloatStorage storage)
    {
        var reference = Values.Select(v => -v * 0.5f).Select(v => storage == InferenceFloatStorage.Float16 ? (float)(Half)v : v).ToArray();
        var section = FloatSection.ForWriting(storage);
        section.Add(Values);
        section.Add(Values, reference);
        var read = FloatSection.Read(Reader(section));
        Assert.Equal(storage, read.Storage);
        Assert.Equal(2 * Values.Length, read.Remaining);
        var plain = read.Take("plain", Values.Length);
        var against = read.Take("against", Values.Length, reference);
        Assert.Equal(Values.Select(BitConverter.SingleToInt32Bits), plain.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(Values.Select(BitConverter.SingleToInt32Bits), against.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(0, read.Remaining);
    }

    [Fact]
    public void PlanesHoldTheLowestBytesFirstAndAValueEqualToItsReferenceStoresZero()
    {
        var section = FloatSection.ForWriting(InferenceFloatStorage.Float16);
        section.Add([1f, -2f]);
        section.Add([-2f], [-2f]);
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true)) section.Write(writer);
        // Storage 1, count 3, low bytes of 0x3C00, 0xC000, 0, then their high bytes.
        Assert.Equal(new byte[] { 1, 3, 0, 0, 0, 0x00, 0x00, 0x00, 0x3C, 0xC0, 0x00 }, buffer.ToArray());
    }

    [Fact]
    public void WhatCannotBeStoredOrReadIsRefusedNamingIt()
    {
        var section = FloatSection.ForWriting(InferenceFloatStorage.Float16);
        Assert.StartsWith("The value 0.1 is not exactly a float16", Assert.Throws<InvalidOperationException>(() => section.Add([0.1f])).Message);
        var unknown = Assert.Throws<InvalidDataException>(() => FloatSection.Read(new BoundedReader([2, 0, 0, 0, 0], 0, "The test part")));
        Assert.Equal("The float storage is 2, which this build does not know (0: float32, 1: float16).", unknown.Message);
        var tooMany = Assert.Throws<InvalidDataException>(() => FloatSection.Read(new BoundedReader([0, 9, 0, 0, 0, 1, 2, 3], 0, "The test part")));
        Assert.Equal("The test part's float value count declares 9 entries, but only 3 bytes remain.", tooMany.Message);
        var read = FloatSection.Read(Reader(FloatSection.ForWriting(InferenceFloatStorage.Float32)));
        Assert.Equal("The fold 3's biases needs 2 float values, but only 0 of the model's 0 remain.",
            Assert.Throws<InvalidDataException>(() => read.Take("fold 3's biases", 2)).Message);
    }

    private static BoundedReader Reader(FloatSection section)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true)) section.Write(writer);
        return new BoundedReader(buffer.ToArray(), 0, "The test part");
    }
}
