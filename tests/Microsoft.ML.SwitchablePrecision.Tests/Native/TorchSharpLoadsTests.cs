using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Tests.Native;

public class TorchSharpLoadsTests
{
    [Fact]
    public void TorchInitialisesAndRunsAMatrixProduct()
    {
        using var a = tensor(new float[] { 1, 2, 3, 4 }).reshape(2, 2);
        using var b = tensor(new float[] { 5, 6, 7, 8 }).reshape(2, 2);
        using var product = a.matmul(b);
        Assert.Equal(new float[] { 19, 22, 43, 50 }, product.data<float>().ToArray());
    }
}
