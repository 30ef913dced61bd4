using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Training;
using SkiaSharp;
using SpNet.Train.Reporting;
using SpNet.Train.Training;

namespace Microsoft.ML.SwitchablePrecision.Tests.Samples;

// Made-up numbers here only check the shape of the rendering; they are never shown as results.
public sealed class ReportingTests : IDisposable
{
    private readonly SampleFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void The_chart_is_a_png_with_a_marker_at_each_point()
    {
        string path = _files.PathOf("chart", "tradeoff.png");
        TradeoffChart.Write(path, "title", "cost", "accuracy (%)",
            [new("W1A1", 1e6, 70), new("W1A4", 1e7, 80), new("W1A32", 1e8, 90)], logX: true);

        using var image = SKBitmap.Decode(path);
        Assert.Equal((900, 560), (image.Width, image.Height));
        Assert.Equal(SKColors.White, image.GetPixel(5, 5));
        // The x axis spans 10^5.8..10^8.2 and the y axis 60..100 over the plot area (90..860, 60..480):
        // the middle point (1e7, 80) falls at the centre of the plot.
        var marker = image.GetPixel(475, 270);
        Assert.True(marker.Blue > 150 && marker.Red < 80, $"expected the blue marker at the plot's centre, found {marker}");
    }

    [Theory]
    [InlineData(new[] { 1e6, 1e7, 1e8 }, new[] { 1e6, 1e7, 1e8 })]
    [InlineData(new[] { 1.2e7, 3e7 }, new[] { 2e7, 3e7 })]
    [InlineData(new[] { 7.2e6, 9.6e6 }, new[] { 7e6, 8e6, 9e6, 1e7 })]
    [InlineData(new[] { 7.68e6, 7.79e6 }, new[] { 7e6, 8e6 })]
    [InlineData(new[] { 1.25e6, 1.3e6 }, new[] { 1.2e6, 1.4e6 })]
    public void A_log_axis_has_at_least_two_ticks_however_narrow_its_range(double[] values, double[] expected)
    {
        var axis = Axis.Fit(values, log: true);

        Assert.Equal(expected, axis.Ticks.Select(t => Math.Round(t, 6)));
        Assert.All(axis.Ticks, t => Assert.InRange(axis.Fraction(t), 0, 1));
    }

    [Fact]
    public void The_chart_rejects_a_log_axis_with_a_zero_cost()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            TradeoffChart.Write(_files.PathOf("c.png"), "t", "x", "y", [new("W1A1", 0, 50)], logX: true));
        Assert.StartsWith("A logarithmic x axis needs positive x values.", error.Message);
    }

    [Fact]
    public void A_plain_progress_line_names_epoch_step_each_switch_and_time_left()
    {
        var progress = new TrainingProgress
        {
            Epoch = 2, Epochs = 3, Step = 10, StepsPerEpoch = 47, IsEpochEnd = false, LearningRate = 0.05,
            Train = [new(new Precision(1, 1), 1.23456, 0.5), new(new Precision(1, 32), 0.5, 0.875)],
            Elapsed = TimeSpan.FromSeconds(75), EstimatedRemaining = TimeSpan.FromSeconds(125),
        };

        Assert.Equal("epoch 2/3 step 10/47 | W1A1 loss 1.235 acc 50.0% | W1A32 loss 0.500 acc 87.5% | 02:05 left",
            ProgressView.PlainLine(progress));
    }

    [Fact]
    public void During_the_warm_start_a_plain_progress_line_says_so_for_the_switches_without_metrics()
    {
        var progress = new TrainingProgress
        {
            Epoch = 1, Epochs = 3, Step = 4, StepsPerEpoch = 47, IsEpochEnd = false, LearningRate = 0.05, IsFullPrecisionWarmStart = true,
            Train = [new(new Precision(1, 1), double.NaN, double.NaN), new(new Precision(1, 32), 0.5, 0.875)],
            Elapsed = TimeSpan.FromSeconds(5), EstimatedRemaining = TimeSpan.FromSeconds(125),
        };

        Assert.Equal("epoch 1/3 step 4/47 | W1A1 float warm start | W1A32 loss 0.500 acc 87.5% | 02:05 left",
            ProgressView.PlainLine(progress));
    }

    [Fact]
    public void Bit_operations_weight_each_layer_by_its_bit_widths()
    {
        LayerCost[] layers =
        [
            new("stem", "Conv2d", 10, 100, QuantizedWeights: false, QuantizedInput: false),
            new("body", "Conv2d", 10, 1000, QuantizedWeights: true, QuantizedInput: true),
        ];

        Assert.Equal(100 * 32 * 32 + 1000 * 1 * 2, BitOperations.PerImage(layers, new Precision(1, 2)));
        Assert.Equal(100 * 32 * 32 + 1000 * 1 * 32, BitOperations.PerImage(layers, new Precision(1, 32)));
    }
}
