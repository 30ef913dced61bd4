using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Tests.Quantization;

internal static class TensorAssert
{
    public static void Close(double[] expected, Tensor actual, double tolerance = 1e-5)
    {
        var values = actual.to_type(ScalarType.Float64).data<double>().ToArray();
        Assert.Equal(expected.Length, values.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - values[i]) <= tolerance,
                $"element {i}: expected {expected[i]}, got {values[i]} (all: [{string.Join(", ", values)}])");
    }

    public static Tensor Leaf(params float[] values) => tensor(values).requires_grad_(true);

    public static int DistinctCount(Tensor t) => t.to_type(ScalarType.Float32).data<float>().ToArray().Distinct().Count();
}
