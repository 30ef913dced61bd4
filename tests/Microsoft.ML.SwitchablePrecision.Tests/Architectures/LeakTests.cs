using Microsoft.ML.SwitchablePrecision.Architectures;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Tests.Architectures;

public class LeakTests
{
    [Theory]
    [InlineData(QuantizerKind.DoReFa)]
    [InlineData(QuantizerKind.Pact)]
    [InlineData(QuantizerKind.Lsq)]
    public void ForwardAndBackwardAtEverySwitchLeaveNoLiveTensorsBehind(QuantizerKind quantizer)
    {
        Precision[] switches = [new(1, 2), Precision.FullPrecision];
        using var network = NetworkFactory.Create(new NetworkOptions { Switches = switches, Quantizer = quantizer, Height = 8, Width = 8, WidthMultiplier = 0.5 });
        using var images = rand(4, 1, 8, 8);
        using var labels = tensor(new long[] { 0, 1, 2, 3 });
        // The optimizer is left out: TorchSharp's own step and zero_grad wrap gradients in handles the GC reclaims.
        void Step()
        {
            foreach (var precision in switches)
            {
                using var scope = NewDisposeScope();
                network.ActivePrecision = precision;
                nn.functional.cross_entropy(network.forward(images), labels).backward();
            }
        }
        Step();
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int i = 0; i < 2; i++) Step();
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }
}
