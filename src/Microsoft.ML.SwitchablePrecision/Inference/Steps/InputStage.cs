using Microsoft.ML.SwitchablePrecision.Inference.Execution;
using Microsoft.ML.SwitchablePrecision.Inference.Layout;

namespace Microsoft.ML.SwitchablePrecision.Inference.Steps;

/// <summary>
/// Turns raw NCHW images into the plan's first activation: channels-last, each channel normalised as the network
/// does, <c>(x - mean) / std</c> in float32.
/// </summary>
internal sealed class InputStage(int channels, int height, int width, float[] mean, float[] std, ActivationSlot output)
{
    /// <summary>Channels of an image.</summary>
    public int Channels { get; } = channels;

    /// <summary>Rows of an image.</summary>
    public int Height { get; } = height;

    /// <summary>Columns of an image.</summary>
    public int Width { get; } = width;

    /// <summary>Values of one image.</summary>
    public int PerImage => Channels * Height * Width;

    /// <summary>The slot written.</summary>
    public ActivationSlot Output { get; } = output;

    /// <summary>Writes <paramref name="images"/> NCHW images into the output slot.</summary>
    public void Run(ReadOnlySpan<float> source, Workspace workspace, int images)
    {
        int pixels = Height * Width;
        var target = workspace.Floats(Output, images);
        for (int n = 0; n < images; n++)
        {
            var image = source.Slice(n * PerImage, PerImage);
            var output = target.Slice(n * PerImage, PerImage);
            for (int c = 0; c < Channels; c++)
            {
                float m = mean.Length == 0 ? 0f : mean[c], s = std.Length == 0 ? 1f : std[c];
                var plane = image.Slice(c * pixels, pixels);
                for (int p = 0; p < pixels; p++) output[p * Channels + c] = (plane[p] - m) / s;
            }
        }
    }
}
