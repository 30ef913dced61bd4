using Microsoft.ML.SwitchablePrecision.Quantization;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Tests.Quantization;

// The fused quantizers dispose every wrapper they hand to TorchSharp's autograd (forward output, backward result) or
// receive from it (incoming gradient) once TorchSharp holds its own reference. Before, those wrappers lived until a
// dispose scope ended or the finalizer ran, which kept every activation's and gradient's storage alive and made each
// new tensor land on freshly mapped pages (docs/results/training-step). TorchSharp's live-wrapper count is
// process-wide, so these run alone.
[Collection(ProcessWideStateCollection.Name)]
public class FusedQuantizerHandleTests
{
    public static TheoryData<string> Quantizers => new() { "DoReFa", "PACT", "LSQ" };

    [Theory]
    [MemberData(nameof(Quantizers))]
    public void RepeatedForwardAndBackwardLeavesNoLiveWrappers(string quantizer)
    {
        using var values = randn([2, 3, 5, 5], generator: new Generator(11)).mul(0.6).add(0.4);
        using var upstream = randn([2, 3, 5, 5], generator: new Generator(12));
        using var learned = tensor(new[] { quantizer == "LSQ" ? 0.2f : 1.5f });
        RoundTrip(quantizer, values, upstream, learned);
        long before = Tensor.TotalCount;
        for (int i = 0; i < 20; i++) RoundTrip(quantizer, values, upstream, learned);
        // The finalizer can only lower the count, so a leak of even one wrapper per round would show as growth.
        Assert.True(Tensor.TotalCount <= before, $"{Tensor.TotalCount - before} TorchSharp tensor wrappers left alive by 20 rounds of {quantizer}");
    }

    private static void RoundTrip(string quantizer, Tensor values, Tensor upstream, Tensor learned)
    {
        using var x = values.detach().requires_grad_(true);
        using var parameter = learned.detach().requires_grad_(true);
        using var y = quantizer switch
        {
            "DoReFa" => DoReFa.QuantizeActivations(x, 2),
            "PACT" => Pact.QuantizeActivations(x, parameter, 2),
            _ => Lsq.Quantize(x, parameter, 2, signed: false, gradientScale: 1.0),
        };
        y.backward([upstream]);
        using var gradient = x.grad;
        using var learnedGradient = parameter.grad;
        Assert.NotNull(gradient);
    }
}
