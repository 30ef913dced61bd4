using System.Text.Json.Nodes;
using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Persistence;
using static Microsoft.ML.SwitchablePrecision.Tests.Reliability.UntrainedModels;

namespace Microsoft.ML.SwitchablePrecision.Tests.Reliability;

/// <summary>Every metadata field and declared size of the stored format is checked before it is trusted.</summary>
public sealed class ModelFileBoundsTests
{
    private static readonly NetworkOptions Options = new()
    {
        Classes = 10, Switches = [new(1, 1), Precision.FullPrecision], WidthMultiplier = 0.25,
    };

    private static byte[] Stored()
    {
        using var network = NetworkFactory.Create(Options, seed: 3);
        var metadata = ModelMetadata.From(Options, Precision.FullPrecision, ClassNames(10));
        using var stream = new MemoryStream();
        NetworkModelFile.Write(stream, metadata, network);
        return stream.ToArray();
    }

    private static InvalidDataException ReadFails(byte[] bytes) =>
        Assert.Throws<InvalidDataException>(() => NetworkModelFile.Read(new MemoryStream(bytes)).Network.Dispose());

    public static TheoryData<string, string, string> ForgedFields => new()
    {
        { "Height", "100000", "The model's Height field is 100000; expected 8 to 1024." },
        { "Width", "-5", "The model's Width field is -5; expected 8 to 1024." },
        { "InputChannels", "7", "The model's InputChannels field is 7; expected 1 to 3." },
        { "Classes", "1000000", "The model's Classes field is 1000000; expected 2 to 100000." },
        { "WidthMultiplier", "16", "The model's WidthMultiplier field is 16; expected a value above 0 and at most 8." },
        { "WidthMultiplier", "64", "The model's WidthMultiplier field is 64" },
        { "WidthMultiplier", "0", "The model's WidthMultiplier field is 0" },
        { "ActivePrecision", "\"W3A3\"", "The model's ActivePrecision field is W3A3, which is not one of its switches (W1A1, W32A32)." },
        { "ActivePrecision", "\"nonsense\"", "The model's ActivePrecision entry 'nonsense' is not a valid precision." },
        { "Switches", "[]", "The model's Switches field lists 0 switches; expected 1 to 81." },
        { "Switches", "[\"W1A1\",\"W1A1\"]", "The model's Switches field lists a switch more than once." },
        { "Switches", "[\"W9A9\"]", "The model's Switches entry 'W9A9' is not a valid precision." },
        { "Switches", "null", "The model's metadata lacks a required list" },
        { "Architecture", "\"ResNet1000\"", "The model's Architecture 'ResNet1000' is not known to this build." },
        { "ClassNames", "[\"a\",\"b\"]", "The model lists 2 class names for 10 classes." },
        { "InputStd", "[0]", "InputStd[0] is 0: expected a finite positive value." },
        { "Height", "1e12", "The model's metadata is not valid" },
    };

    [Theory]
    [MemberData(nameof(ForgedFields))]
    public void AForgedFieldWithARecomputedChecksumIsNamedBeforeAnythingIsBuilt(string field, string json, string expected)
    {
        var forged = EditMetadata(Stored(), metadata => metadata[field] = JsonNode.Parse(json));

        Assert.Contains(expected, ReadFails(forged).Message);
    }

    [Fact]
    public void MoreClassesThanThePayloadCanHoldFailBeforeTheNetworkIsBuilt()
    {
        var forged = EditMetadata(Stored(), metadata =>
        {
            metadata["Classes"] = 100000;
            metadata["ClassNames"] = new JsonArray(Enumerable.Range(0, 100000).Select(i => (JsonNode)JsonValue.Create("c" + i)).ToArray());
        });
        long before = GC.GetAllocatedBytesForCurrentThread();

        var error = ReadFails(forged);

        Assert.Contains("describes a network of at least", error.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 4L * forged.Length + (16 << 20), "allocates a small multiple of the file");
    }

    [Fact]
    public void APayloadLengthBeyondTheRealDataFailsWithoutReadingOrAllocatingIt()
    {
        var bytes = Stored();
        BitConverter.TryWriteBytes(bytes.AsSpan(12, 8), 2L << 30);
        long before = GC.GetAllocatedBytesForCurrentThread();

        var error = ReadFails(bytes);

        Assert.Equal($"The model is truncated: {bytes.Length - 52} of {2L << 30} payload bytes present.", error.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
    }

    [Fact]
    public void AHugeRealPayloadIsChecksummedWhileStreamingNotCopied()
    {
        // A sparse file: 512 MB of zeros after a valid header, as a decompressed zip bomb would give.
        var path = Path.Combine(Path.GetTempPath(), $"spnet-bomb-{Guid.NewGuid():N}.bin");
        try
        {
            var bytes = Stored();
            long length = 512L << 20;
            using (var file = new FileStream(path, FileMode.CreateNew))
            {
                file.Write(bytes.AsSpan(0, 52));
                file.SetLength(52 + length);
                file.Position = 12;
                file.Write(BitConverter.GetBytes(length));
            }
            long before = GC.GetAllocatedBytesForCurrentThread();

            using var stream = File.OpenRead(path);
            var error = Assert.Throws<InvalidDataException>(() => NetworkModelFile.Read(stream).Network.Dispose());

            Assert.Equal("The model is corrupted: its checksum does not match.", error.Message);
            Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 << 20, "no copy of the payload");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AMetadataLengthBeyondThePayloadIsRejected()
    {
        var bytes = Stored();
        var payload = bytes[52..];
        BitConverter.TryWriteBytes(payload.AsSpan(0, 4), payload.Length);

        Assert.StartsWith($"The model's metadata length {payload.Length} is invalid", ReadFails(Reseal(bytes, payload)).Message);
    }

    [Fact]
    public void WeightsOfAnotherSizeThanTheMetadataDescribesAreRejectedBeforeReadingThem()
    {
        var bytes = Stored();
        var longer = bytes[52..].Concat(new byte[64]).ToArray();

        Assert.Contains("the network its metadata describes stores", ReadFails(Reseal(bytes, longer)).Message);
    }

    [Fact]
    public void TrailingBytesAfterThePayloadAreRejected()
    {
        var bytes = Stored().Concat(new byte[3]).ToArray();

        Assert.Equal($"The model has 3 bytes after its {bytes.Length - 55}-byte payload.", ReadFails(bytes).Message);
    }

    [Fact]
    public void TheLowerBoundOfTheWeightsNeverExceedsTheRealWeights()
    {
        foreach (var architecture in Enum.GetValues<ArchitectureKind>())
            foreach (var width in new[] { 0.1, 0.5, 1.3 })
            {
                var options = Options with { Architecture = architecture, WidthMultiplier = width, Classes = 37 };
                using var network = NetworkFactory.Create(options);
                long real = network.parameters().Sum(p => p.numel()) * sizeof(float);
                long bound = NetworkFactory.MinimumWeightBytes(options);
                Assert.InRange(bound, real / 8, real);
            }
    }
}
