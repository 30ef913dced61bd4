using System.Text;
using Microsoft.ML.SwitchablePrecision.Architectures;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Persistence;

/// <summary>
/// Writes and reads every parameter and buffer of a network (shared weights, every switch's BatchNorm and
/// quantizer state). Reading goes into a freshly built network of the same options: each entry's name, type and
/// shape must match the network's own tensor, so a corrupt or forged stream can never make the reader allocate
/// more than the network already holds.
/// </summary>
internal static class NetworkState
{
    private const int MaxNameBytes = Inference.Stored.StoredTensorTable.MaxNameBytes;

    public static void Write(SwitchableNetwork network, BinaryWriter writer)
    {
        var entries = Entries(network);
        writer.Write(entries.Count);
        foreach (var (name, tensor) in entries)
        {
            var nameBytes = Encoding.UTF8.GetBytes(name);
            writer.Write(nameBytes.Length);
            writer.Write(nameBytes);
            writer.Write((int)tensor.dtype);
            writer.Write(tensor.shape.Length);
            foreach (var dim in tensor.shape) writer.Write(dim);
            using var detached = tensor.detach();
            using var contiguous = detached.contiguous();
            writer.Write(contiguous.bytes);
        }
    }

    /// <summary>The exact number of bytes <see cref="Write"/> produces for <paramref name="network"/>.</summary>
    public static long SerializedLength(SwitchableNetwork network)
    {
        long length = sizeof(int);
        foreach (var (name, tensor) in Entries(network))
            length += sizeof(int) + Encoding.UTF8.GetByteCount(name) + 2 * sizeof(int) + sizeof(long) * tensor.shape.Length
                + tensor.numel() * tensor.ElementSize;
        return length;
    }

    /// <exception cref="InvalidDataException">The stream does not describe this network's tensors.</exception>
    public static void Read(SwitchableNetwork network, BinaryReader reader)
    {
        var entries = Entries(network);
        network.InvalidatePlans();
        int count = reader.ReadInt32();
        if (count != entries.Count)
            throw new InvalidDataException($"The weights hold {count} tensors; this network has {entries.Count}.");
        using var noGrad = no_grad();
        foreach (var (name, tensor) in entries)
        {
            int nameLength = reader.ReadInt32();
            if (nameLength is < 0 or > MaxNameBytes)
                throw new InvalidDataException($"Tensor name length {nameLength} is invalid (expected '{name}').");
            var storedName = Encoding.UTF8.GetString(reader.ReadBytes(nameLength));
            if (storedName != name)
                throw new InvalidDataException($"Expected tensor '{name}' but the weights hold '{storedName}'.");
            var dtype = (ScalarType)reader.ReadInt32();
            int rank = reader.ReadInt32();
            if (dtype != tensor.dtype || rank != tensor.shape.Length)
                throw new InvalidDataException($"Tensor '{name}' is stored as {dtype} of rank {rank}; expected {tensor.dtype} of rank {tensor.shape.Length}.");
            for (int d = 0; d < rank; d++)
            {
                long dim = reader.ReadInt64();
                if (dim != tensor.shape[d])
                    throw new InvalidDataException($"Tensor '{name}' has dimension {d} of {dim}; expected {tensor.shape[d]}.");
            }
            ReadInto(tensor, reader, name);
        }
    }

    private static void ReadInto(Tensor target, BinaryReader reader, string name)
    {
        using var buffer = empty(target.shape, target.dtype);
        var span = buffer.bytes;
        int read = 0;
        while (read < span.Length)
        {
            int n = reader.BaseStream.Read(span[read..]);
            if (n == 0) throw new InvalidDataException($"The weights end inside tensor '{name}'.");
            read += n;
        }
        target.copy_(buffer);
    }

    private static List<(string Name, Tensor Tensor)> Entries(SwitchableNetwork network)
    {
        var entries = new List<(string, Tensor)>();
        foreach (var (name, parameter) in network.named_parameters()) entries.Add((name, parameter));
        foreach (var (name, buffer) in network.named_buffers()) entries.Add((name, buffer));
        return entries;
    }
}
