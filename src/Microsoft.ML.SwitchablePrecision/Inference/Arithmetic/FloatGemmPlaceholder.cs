using System.Numerics;

namespace Microsoft.ML.SwitchablePrecision.Inference.Arithmetic;

// TEMPORARY until the kernel engineer's float GEMM lands: out[m, p] = dot(w[m, :], a[p, :]).
internal static class FloatGemmPlaceholder
{
    public static void Multiply(ReadOnlySpan<float> weights, int rows, int depth, ReadOnlySpan<float> columns, int count, Span<float> output)
    {
        for (int m = 0; m < rows; m++)
        {
            var w = weights.Slice(m * depth, depth);
            for (int p = 0; p < count; p++)
                output[m * count + p] = Dot(w, columns.Slice(p * depth, depth));
        }
    }

    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var sum = Vector<float>.Zero;
        int i = 0;
        for (; i <= a.Length - Vector<float>.Count; i += Vector<float>.Count)
            sum += new Vector<float>(a[i..]) * new Vector<float>(b[i..]);
        float total = Vector.Sum(sum);
        for (; i < a.Length; i++) total += a[i] * b[i];
        return total;
    }
}
