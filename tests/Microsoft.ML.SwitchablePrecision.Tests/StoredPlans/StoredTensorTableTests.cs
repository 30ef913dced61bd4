using System.Text;
using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Inference.Stored;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Tests.StoredPlans;

/// <summary>The torch-free reader of a network's stored state, and what it does with damaged or forged streams.</summary>
public class StoredTensorTableTests
{
    private static readonly Lazy<SwitchableNetwork> Network = new(() =>
    {
        var network = NetworkFactory.Create(new NetworkOptions
        {
            Architecture = ArchitectureKind.ResNet20, WidthMultiplier = 0.25, Switches = [new(1, 2), new(4, 4)], Quantizer = QuantizerKind.Lsq,
        }, seed: 3);
        network.eval();
        return network;
    });

    [Fact]
    public void EveryParameterAndBufferReadsBackWithItsNameTypeShapeAndValuesBitForBit()
    {
        var network = Network.Value;
        var table = StoredStates.Table(network);
        var expected = network.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).Concat(network.named_buffers()).ToList();
        Assert.Equal(expected.Select(e => e.Item1), table.Tensors.Select(t => t.Name));
        Assert.Contains(table.Tensors, t => t.Name == "layer1.0.conv1.input_quantizer.step_initialized");
        foreach (var (name, tensor) in expected)
        {
            var stored = table.Tensors.Single(t => t.Name == name);
            Assert.Equal(tensor.shape, stored.Shape);
            using var contiguous = tensor.detach().contiguous();
            if (tensor.dtype == ScalarType.Int64)
            {
                Assert.Equal(StoredElementType.Int64, stored.Type);
                Assert.Equal(contiguous.data<long>().ToArray(), stored.Integers);
            }
            else
            {
                Assert.Equal(StoredElementType.Float32, stored.Type);
                Assert.Equal(contiguous.data<float>().ToArray().Select(BitConverter.SingleToInt32Bits), stored.Floats.Select(BitConverter.SingleToInt32Bits));
            }
        }
        Assert.Contains(table.Tensors, t => t.Type == StoredElementType.Int64 && t.Name.EndsWith("num_batches_tracked", StringComparison.Ordinal));
    }

    [Fact]
    public void AStreamThatEndsInsideATensorFailsNamingIt()
    {
        var bytes = StoredStates.Bytes(Network.Value);
        // Cut inside the values of the last tensor (the count still fits what remains).
        var table = StoredTensorTable.Read(bytes);
        int last = table.Tensors.Count - 1;
        string name = table.Tensors[last].Name;
        int cut = PositionAfter(table, last) - 3;
        Assert.Equal(bytes.Length - 3, cut);
        var error = Assert.Throws<InvalidDataException>(() => StoredTensorTable.Read(bytes[..cut]));
        Assert.Equal($"The stored weights end inside stored tensor '{name}': {StoredTensor.ElementBytes(table.Tensors[last].Type) * table.Tensors[last].Count} bytes needed, {StoredTensor.ElementBytes(table.Tensors[last].Type) * table.Tensors[last].Count - 3} left.", error.Message);
    }

    [Fact]
    public void ATensorUnderAnotherNameFailsNamingTheTensorTheArchitectureExpects()
    {
        var network = Network.Value;
        var tensors = StoredStates.Table(network).Tensors.Select(t => t.Name == "layer2.0.conv1.weight" ? Renamed(t, "layer2.0.conv1.weights") : t);
        var forged = StoredTensorTable.Read(Write(tensors));
        var error = Assert.Throws<InvalidDataException>(() => StoredNetworkPlans.Describe(network.Options, forged, new Precision(1, 2)));
        Assert.Contains("'layer2.0.conv1.weight'", error.Message);
        Assert.Equal("The stored weights have no tensor 'layer2.0.conv1.weight'; expected float32 [8, 4, 3, 3].", error.Message);
    }

    [Fact]
    public void ATensorOfAnotherShapeFailsNamingItAndBothShapes()
    {
        var network = Network.Value;
        var tensors = StoredStates.Table(network).Tensors.Select(t => t.Name == "layer1.1.bn2.bn.1.running_var"
            ? new StoredTensor(t.Name, t.Type, [t.Shape[0] + 1], new float[t.Shape[0] + 1], []) : t);
        var forged = StoredTensorTable.Read(Write(tensors));
        Assert.NotNull(StoredNetworkPlans.Describe(network.Options, forged, new Precision(1, 2)));
        var error = Assert.Throws<InvalidDataException>(() => StoredNetworkPlans.Describe(network.Options, forged, new Precision(4, 4)));
        Assert.Equal("Stored tensor 'layer1.1.bn2.bn.1.running_var' is Float32 [5]; expected float32 [4].", error.Message);
    }

    [Fact]
    public void AnAbsurdNameLengthOrDimensionFailsBeforeAllocatingNamingTheTensor()
    {
        var bytes = StoredStates.Bytes(Network.Value);
        var table = StoredTensorTable.Read(bytes);
        int third = PositionAfter(table, 1);
        var longName = (byte[])bytes.Clone();
        BitConverter.TryWriteBytes(longName.AsSpan(third), 1 << 30);
        var error = Assert.Throws<InvalidDataException>(() => StoredTensorTable.Read(longName));
        Assert.Contains($"Stored tensor 2 (after '{table.Tensors[1].Name}') declares a name of 1073741824 bytes", error.Message);

        // The first dimension of the first tensor: after the count, name length, name, type and rank.
        var hugeDimension = (byte[])bytes.Clone();
        int dimension = 4 + 4 + Encoding.UTF8.GetByteCount(table.Tensors[0].Name) + 4 + 4;
        BitConverter.TryWriteBytes(hugeDimension.AsSpan(dimension), 1L << 40);
        error = Assert.Throws<InvalidDataException>(() => StoredTensorTable.Read(hugeDimension));
        Assert.StartsWith($"Stored tensor '{table.Tensors[0].Name}' declares dimension 0 of 1099511627776", error.Message);

        var badType = (byte[])bytes.Clone();
        BitConverter.TryWriteBytes(badType.AsSpan(dimension - 8), 7);
        error = Assert.Throws<InvalidDataException>(() => StoredTensorTable.Read(badType));
        Assert.Equal($"Stored tensor '{table.Tensors[0].Name}' has element type 7; expected 6 (float32) or 4 (int64).", error.Message);
    }

    [Fact]
    public void ATensorCountBeyondTheStreamAndARepeatedNameFail()
    {
        var error = Assert.Throws<InvalidDataException>(() => StoredTensorTable.Read(BitConverter.GetBytes(int.MaxValue)));
        Assert.Equal("The stored weights declare 2147483647 tensors, but only 0 bytes follow.", error.Message);
        var tensors = StoredStates.Table(Network.Value).Tensors;
        error = Assert.Throws<InvalidDataException>(() => StoredTensorTable.Read(Write([tensors[0], tensors[1], tensors[0]])));
        Assert.Equal($"Stored tensor '{tensors[0].Name}' appears twice.", error.Message);
    }

    private static StoredTensor Renamed(StoredTensor tensor, string name) => new(name, tensor.Type, tensor.Shape, tensor.Floats, tensor.Integers);

    // The byte position where tensor index + 1 starts.
    private static int PositionAfter(StoredTensorTable table, int index) =>
        4 + table.Tensors.Take(index + 1).Sum(t => 4 + Encoding.UTF8.GetByteCount(t.Name) + 8 + 8 * t.Shape.Length + (int)t.Count * StoredTensor.ElementBytes(t.Type));

    /// <summary>The state stream of <paramref name="tensors"/>, in the format the training side writes.</summary>
    internal static byte[] Write(IEnumerable<StoredTensor> tensors)
    {
        var list = tensors.ToList();
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(list.Count);
            foreach (var t in list)
            {
                var name = Encoding.UTF8.GetBytes(t.Name);
                writer.Write(name.Length);
                writer.Write(name);
                writer.Write((int)t.Type);
                writer.Write(t.Shape.Length);
                foreach (long d in t.Shape) writer.Write(d);
                foreach (float v in t.Floats) writer.Write(v);
                foreach (long v in t.Integers) writer.Write(v);
            }
        }
        return buffer.ToArray();
    }
}
