using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Data;

namespace Microsoft.ML.SwitchablePrecision.Training;

/// <summary>Checks that data fits a network, with messages naming the data and what the network expects.</summary>
internal static class DataChecks
{
    public static void RequireFits(SwitchableNetwork network, ImageDataset data, string dataName, string parameter)
    {
        var o = network.Options;
        if (data.Count == 0) throw new ArgumentException($"The {dataName} data holds no images.", parameter);
        if (data.Channels != o.InputChannels || data.Height != o.Height || data.Width != o.Width)
            throw new ArgumentException(
                $"The {dataName} images are {data.Channels}x{data.Height}x{data.Width} (channels x height x width) but the network expects {o.InputChannels}x{o.Height}x{o.Width}.",
                parameter);
        if (data.Classes != o.Classes)
            throw new ArgumentException($"The {dataName} data has {data.Classes} classes but the network has {o.Classes} outputs.", parameter);
    }
}
