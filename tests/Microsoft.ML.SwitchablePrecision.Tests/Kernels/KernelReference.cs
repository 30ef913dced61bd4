namespace Microsoft.ML.SwitchablePrecision.Tests.Kernels;

// Straightforward integer definitions the packed kernels must reproduce exactly.
internal static class KernelReference
{
    public static float[] RandomWeights(Random random, int count)
    {
        var weights = new float[count];
        for (int i = 0; i < count; i++) weights[i] = (float)(random.NextDouble() * 2 - 1);
        return weights;
    }

    public static byte[] RandomLevels(Random random, int count, int bits)
    {
        var levels = new byte[count];
        for (int i = 0; i < count; i++) levels[i] = (byte)random.Next(0, 1 << bits);
        return levels;
    }

    public static int Sign(float w) => w >= 0 ? 1 : -1;

    // output[m, p] = sum_k sign(w[m, k]) q[k, p]
    public static int[] Gemm(float[] weights, byte[] levels, int rows, int depth, int columns)
    {
        var output = new int[rows * columns];
        for (int m = 0; m < rows; m++)
            for (int p = 0; p < columns; p++)
            {
                int sum = 0;
                for (int k = 0; k < depth; k++) sum += Sign(weights[m * depth + k]) * levels[k * columns + p];
                output[m * columns + p] = sum;
            }
        return output;
    }

    // NCHW input, [O, C, kh, kw] weights (PyTorch layout), zero padding.
    public static int[] Conv(float[] weights, byte[] levels, int batch, int inChannels, int height, int width,
        int outChannels, int kernelHeight, int kernelWidth, int stride, int padding)
    {
        int outputHeight = (height + 2 * padding - kernelHeight) / stride + 1;
        int outputWidth = (width + 2 * padding - kernelWidth) / stride + 1;
        var output = new int[batch * outChannels * outputHeight * outputWidth];
        for (int n = 0; n < batch; n++)
            for (int o = 0; o < outChannels; o++)
                for (int oh = 0; oh < outputHeight; oh++)
                    for (int ow = 0; ow < outputWidth; ow++)
                    {
                        int sum = 0;
                        for (int c = 0; c < inChannels; c++)
                            for (int i = 0; i < kernelHeight; i++)
                                for (int j = 0; j < kernelWidth; j++)
                                {
                                    int ih = oh * stride - padding + i, iw = ow * stride - padding + j;
                                    if (ih < 0 || ih >= height || iw < 0 || iw >= width) continue;
                                    float w = weights[((o * inChannels + c) * kernelHeight + i) * kernelWidth + j];
                                    sum += Sign(w) * levels[((n * inChannels + c) * height + ih) * width + iw];
                                }
                        output[((n * outChannels + o) * outputHeight + oh) * outputWidth + ow] = sum;
                    }
        return output;
    }
}
