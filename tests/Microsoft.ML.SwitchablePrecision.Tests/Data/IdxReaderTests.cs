using Microsoft.ML.SwitchablePrecision.Data;

namespace Microsoft.ML.SwitchablePrecision.Tests.Data;

public class IdxReaderTests
{
    private static readonly byte[] ImageValues = Enumerable.Range(0, 2 * 3 * 4).Select(i => (byte)(i * 10)).ToArray();

    [Fact]
    public void ReadsPlainAndGzipFilesAlikeWhateverTheirNames()
    {
        using var temp = new TempFolder();
        byte[] plain = IdxBytes.Build([2, 3, 4], ImageValues);
        // Names chosen to contradict the content: detection must use the magic bytes.
        var fromPlain = IdxReader.Read(temp.Write("plain.gz", plain));
        var fromGzip = IdxReader.Read(temp.Write("compressed.idx", IdxBytes.Gzip(plain)));
        foreach (var array in new[] { fromPlain, fromGzip })
        {
            Assert.Equal(new[] { 2, 3, 4 }, array.Dimensions);
            Assert.Equal(2, array.Count);
            Assert.Equal(ImageValues, array.Values);
        }
    }

    [Fact]
    public void ReadsOneDimensionalLabelFiles()
    {
        using var temp = new TempFolder();
        var labels = IdxReader.Read(temp.Write("labels", IdxBytes.Build([5], [9, 0, 0, 3, 0])));
        Assert.Equal(new[] { 5 }, labels.Dimensions);
        Assert.Equal(new byte[] { 9, 0, 0, 3, 0 }, labels.Values);
    }

    [Fact]
    public void MissingFileIsNamed()
    {
        using var temp = new TempFolder();
        string path = Path.Combine(temp.Path, "nothing-here");
        var e = Assert.Throws<FileNotFoundException>(() => IdxReader.Read(path));
        Assert.Equal($"IDX file '{path}' does not exist.", e.Message);
    }

    [Fact]
    public void WrongMagicIsReported()
    {
        using var temp = new TempFolder();
        string path = temp.Write("text.txt", "hello world, not an IDX file"u8.ToArray());
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));
        Assert.StartsWith($"IDX file '{path}' has magic number 0x68656C6C; expected 0x0000", e.Message);
    }

    [Fact]
    public void UnsupportedTypeAndRankAreReported()
    {
        using var temp = new TempFolder();
        string floats = temp.Write("floats", IdxBytes.Build([1], [0, 0, 0, 0], type: 0x0D));
        Assert.Equal($"IDX file '{floats}' holds element type 0x0D; only unsigned bytes (0x08) are supported.",
            Assert.Throws<InvalidDataException>(() => IdxReader.Read(floats)).Message);

        string matrix = temp.Write("matrix", IdxBytes.Build([2, 2], [1, 2, 3, 4]));
        Assert.Equal($"IDX file '{matrix}' has 2 dimensions; expected 1 (labels) or 3 (images).",
            Assert.Throws<InvalidDataException>(() => IdxReader.Read(matrix)).Message);
    }

    [Fact]
    public void TruncatedDataIsReportedForPlainAndGzipFiles()
    {
        using var temp = new TempFolder();
        byte[] full = IdxBytes.Build([2, 3, 4], ImageValues);
        byte[] cut = full[..^5];
        foreach (var (name, bytes) in new[] { ("cut", cut), ("cut.gz", IdxBytes.Gzip(cut)) })
        {
            string path = temp.Write(name, bytes);
            var e = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));
            Assert.Equal($"IDX file '{path}' is truncated: its header (2x3x4) declares 24 values but only 19 follow.", e.Message);
        }

        string header = temp.Write("header", full[..10]);
        Assert.Contains("ends inside its header",
            Assert.Throws<InvalidDataException>(() => IdxReader.Read(header)).Message);
    }

    [Fact]
    public void TrailingDataIsReported()
    {
        using var temp = new TempFolder();
        string path = temp.Write("long", [.. IdxBytes.Build([2], [1, 2]), 7]);
        Assert.Equal($"IDX file '{path}' has data after the 2 values its header (2) declares.",
            Assert.Throws<InvalidDataException>(() => IdxReader.Read(path)).Message);
    }

    [Fact]
    public void ForgedHugeDimensionsFailWithoutAllocatingThem()
    {
        using var temp = new TempFolder();
        string huge = temp.Write("huge", IdxBytes.Build([60000, 60000, 60000], new byte[16]));
        Assert.Equal($"IDX file '{huge}' declares dimensions 60000x60000x60000, more than {IdxReader.MaxValues} values: the header is corrupt.",
            Assert.Throws<InvalidDataException>(() => IdxReader.Read(huge)).Message);

        string negative = temp.Write("negative", IdxBytes.Build([0x80000000u], []));
        Assert.Contains("dimension 0 of size 2147483648",
            Assert.Throws<InvalidDataException>(() => IdxReader.Read(negative)).Message);

        string zero = temp.Write("zero", IdxBytes.Build([0u], []));
        Assert.Contains("dimension 0 of size 0; expected 1",
            Assert.Throws<InvalidDataException>(() => IdxReader.Read(zero)).Message);

        // Legal size (2 GB) but only 16 bytes present: must fail as truncated, not try to allocate 2 GB up front.
        long before = GC.GetAllocatedBytesForCurrentThread();
        string large = temp.Write("large", IdxBytes.Build([2000, 1000, 1000], new byte[16]));
        Assert.Contains("declares 2000000000 values but only 16 follow",
            Assert.Throws<InvalidDataException>(() => IdxReader.Read(large)).Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64L << 20, "reader allocated more than 64 MB for a 16-byte file");
    }

    [Fact]
    public void CorruptGzipIsReportedWithTheFileName()
    {
        using var temp = new TempFolder();
        byte[] gz = IdxBytes.Gzip(IdxBytes.Build([2, 3, 4], ImageValues));
        for (int i = 10; i < gz.Length - 8; i++) gz[i] ^= 0x5A;
        string path = temp.Write("corrupt.gz", gz);
        Assert.Contains($"IDX file '{path}'", Assert.Throws<InvalidDataException>(() => IdxReader.Read(path)).Message);
    }
}
