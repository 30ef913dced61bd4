using Microsoft.ML.SwitchablePrecision.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Tests.Training;

public class SwitchOrderAndLossTests
{
    [Fact]
    public void TeacherIsTheHighestActivationThenWeightPrecision()
    {
        var switches = new[] { "W1A1", "W32A32", "W1A4", "W2A2", "W1A32", "W4A4" }.Select(Precision.Parse).ToArray();
        Assert.Equal(new[] { "W32A32", "W1A32", "W4A4", "W1A4", "W2A2", "W1A1" },
            SwitchOrder.TeacherFirst(switches).Select(i => switches[i].ToString()));
        Assert.Equal(new[] { 0 }, SwitchOrder.TeacherFirst([Precision.Parse("W1A2")]));
    }

    [Fact]
    public void SoftLossIsTemperatureScaledKlDivergence()
    {
        using var scope = NewDisposeScope();
        var student = tensor(new float[] { 1, 0, 0, 0, 2, 0 }, [2, 3]);
        var target = tensor(new float[] { 0, 0, 1, 0, 2, 0 }, [2, 3]);
        Assert.Equal(0, DistillationLoss.Soft(target, target, 2).item<float>(), 6);

        const double t = 2;
        double expected = (Kl([0, 0, 0.5], [0.5, 0, 0]) + Kl([0, 1, 0], [0, 1, 0])) / 2 * t * t;
        Assert.Equal(expected, DistillationLoss.Soft(student, target, t).item<float>(), 5);
    }

    // KL(softmax(p) || softmax(q)) for logits already divided by the temperature.
    private static double Kl(double[] p, double[] q)
    {
        double[] sp = Softmax(p), sq = Softmax(q);
        return sp.Select((v, i) => v * Math.Log(v / sq[i])).Sum();
    }

    private static double[] Softmax(double[] logits)
    {
        var e = logits.Select(Math.Exp).ToArray();
        return e.Select(v => v / e.Sum()).ToArray();
    }
}
