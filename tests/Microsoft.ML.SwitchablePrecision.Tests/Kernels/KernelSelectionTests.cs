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
}
