using System.Runtime.Intrinsics.X86;
using Microsoft.ML.SwitchablePrecision.Kernels;

namespace Microsoft.ML.SwitchablePrecision.Tests.Kernels;

public class KernelSelectionTests
{
    [Theory]
    [InlineData(1, 1, true, true, false, false)]
    [InlineData(2, 2, true, true, false, false)]
    [InlineData(1, 8, true, true, false, false)]
    [InlineData(4, 4, false, true, false, false)]
    [InlineData(8, 8, false, true, false, false)]
    [InlineData(1, 32, false, false, true, true)]
    [InlineData(32, 32, false, false, false, true)]
    public void EachKernelStatesThePrecisionsItServes(int weightBits, int activationBits, bool bitSerial, bool int8, bool sign, bool single)
    {
        Assert.Equal(bitSerial, BitSerialGemm.Serves(weightBits, activationBits));
        Assert.Equal(int8, Int8Gemm.Serves(weightBits, activationBits));
        Assert.Equal(sign, SignAccumulateGemm.Serves(weightBits, activationBits));
        Assert.Equal(single, FloatGemm.Serves(weightBits, activationBits));
    }

    [Fact]
    public void AutoPicksTheFastestSupportedVariantAndReferenceIsAlwaysAvailable()
    {
        var expected = Avx512BW.IsSupported ? KernelVariant.Avx512 : Avx2.IsSupported ? KernelVariant.Avx2 : KernelVariant.Scalar;
        Assert.Equal(expected, KernelSupport.Resolve(KernelVariant.Auto, "test", BitSerialGemm.Preference));
        Assert.Equal(AvxVnni.IsSupported ? KernelVariant.AvxVnni : Avx2.IsSupported ? KernelVariant.Avx2 : KernelVariant.Scalar,
            KernelSupport.Resolve(KernelVariant.Auto, "test", Int8Gemm.Preference));
        Assert.Equal(KernelVariant.Reference, KernelSupport.Resolve(KernelVariant.Auto, "test", []));
        Assert.Equal(KernelVariant.Reference, FloatGemm.Variants[0]);
    }

    [Fact]
    public void MultiplyAllocatesNothingOnTheCallingThread()
    {
        var random = new Random(4);
        var bitWeights = BitSerialWeights.FromSigns(GemmCases.RandomFloats(random, 16 * 64), 16, 64);
        var words = new ulong[4 * 2];
        var sums = new int[4];
        var int8Weights = Int8Weights.FromValues(new sbyte[16 * 64], 16, 64);
        var bytes = new byte[4 * 64];
        var floatWeights = FloatGemmWeights.FromMatrix(GemmCases.RandomFloats(random, 16 * 64), 16, 64);
        var signWeights = SignWeights.FromSigns(GemmCases.RandomFloats(random, 16 * 64), 16, 64);
        var floats = GemmCases.RandomFloats(random, 4 * 64);
        var ints = new int[16 * 4];
        var results = new float[16 * 4];
        var layout = OutputLayout.RowMajor(4);
        var range = GemmRange.All(16, 4);
        void CallAll()
        {
            BitSerialGemm.Multiply(bitWeights, new BitPlaneColumns(words, sums, 4, 2, 1), ints, layout, range);
            Int8Gemm.Multiply(int8Weights, new ByteColumns(bytes, 4, 64, 8), ints, layout, range);
            FloatGemm.Multiply(floatWeights, new FloatColumns(floats, 4, 64, 64), results, layout, range);
            SignAccumulateGemm.Multiply(signWeights, new FloatColumns(floats, 4, 64, 64), results, layout, range);
            BitPlaneColumns.PackColumn(bytes.AsSpan(0, 64), 2, words.AsSpan(0, 2));
        }
        CallAll();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) CallAll();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
