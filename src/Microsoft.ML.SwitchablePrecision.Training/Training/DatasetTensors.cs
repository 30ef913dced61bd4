using Microsoft.ML.SwitchablePrecision.Data;
using TorchSharp;

namespace Microsoft.ML.SwitchablePrecision.Training;

/// <summary>Consecutive images of an <see cref="ImageDataset"/> as an (N, C, H, W) tensor, for batched passes in file order.</summary>
internal static class DatasetTensors
{
    public static torch.Tensor Images(ImageDataset data, int start, int count) =>
        torch.tensor(data.Pixels.AsSpan(start * data.ImageSize, count * data.ImageSize).ToArray(),
            [count, data.Channels, data.Height, data.Width]);
}
