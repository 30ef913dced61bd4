using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Inference.Quantizers;
using Microsoft.ML.SwitchablePrecision.Modules;
using Microsoft.ML.SwitchablePrecision.Quantization;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Tests.Quantization;

/// <summary>The checks every registered quantizer family must pass; a new family gets them by registering.</summary>
public class QuantizerFamilyContractTests
{
    private static readonly int[] BitWidths = [1, 2, 3, 4, 8];

    // The names saved models hold today, for the switches of SavedNameSwitches; a new family adds its row.
    private static readonly Dictionary<QuantizerKind, (string[] Weight, string[] Input, string[] InputBuffers)> SavedNames = new()
    {
        [QuantizerKind.DoReFa] = ([], [], []),
        [QuantizerKind.Pact] = ([], ["alpha_0", "alpha_1"], []),
        [QuantizerKind.Lsq] = (["step_0", "step_1", "step_2"], ["step_0", "step_1"], ["step_initialized"]),
    };

    private static readonly Precision[] SavedNameSwitches = [new(1, 1), new(2, 4), new(1, 32), Precision.FullPrecision];

    public static TheoryData<QuantizerKind> Families()
    {
        var data = new TheoryData<QuantizerKind>();
        foreach (var family in QuantizerRegistry.All) data.Add(family.Kind);
        return data;
    }

    public static TheoryData<QuantizerKind, int> FamiliesAndBits()
    {
        var data = new TheoryData<QuantizerKind, int>();
        foreach (var family in QuantizerRegistry.All)
            foreach (int bits in BitWidths) data.Add(family.Kind, bits);
        return data;
    }

    [Fact]
    public void EveryQuantizerKindHasExactlyOneRegisteredFamily()
    {
        Assert.Equal(Enum.GetValues<QuantizerKind>(), QuantizerRegistry.All.Select(f => f.Kind).Order().ToArray());
        foreach (var kind in Enum.GetValues<QuantizerKind>()) Assert.Equal(kind, QuantizerRegistry.Get(kind).Kind);
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void AtThirtyTwoBitsWeightsAndActivationsPassUnchanged(QuantizerKind kind)
    {
        using var scope = NewDisposeScope();
        var context = new SwitchContext([new Precision(2, 2), Precision.FullPrecision]);
        var x = RandomTensor(new Random(1), 37, -2f, 5f);
        using var weights = new WeightQuantizer("w", context, kind, x);
        using var input = new ActivationQuantizer("a", context, kind);
        context.ActiveIndex = 1;
        Assert.True(weights.IsIdentity);
        Assert.True(input.IsIdentity);
        Assert.Equal(Floats(x), Floats(weights.forward(x)));
        Assert.Equal(Floats(x), Floats(input.forward(x)));
    }

    [Theory]
    [MemberData(nameof(FamiliesAndBits))]
    public void TheIntegerActivationLevelsTimesTheirScaleAreTheFloatQuantizersOutput(QuantizerKind kind, int bits)
    {
        using var scope = NewDisposeScope();
        var random = new Random(bits);
        var context = new SwitchContext([new Precision(32, bits)]);
        using var quantizer = new ActivationQuantizer("a", context, kind);
        SetLearnedState(quantizer, random);
        quantizer.eval();
        var x = RandomTensor(random, 1003, -1f, 4f);
        var expected = Floats(quantizer.forward(x));

        var form = quantizer.Levels(0, bits);
        var inputs = Floats(x);
        var levels = new byte[expected.Length];
        form.Levels(inputs, levels);
        Assert.Equal(kind, form.Kind);
        Assert.Equal(bits, form.Bits);
        for (int i = 0; i < levels.Length; i++)
        {
            Assert.True(levels[i] <= form.Steps, $"element {i}: level {levels[i]} above {form.Steps}");
            Assert.Equal(levels[i], form.Level(inputs[i]));
            Assert.True(form.Value(levels[i]) == expected[i],
                $"{kind} {bits}-bit element {i} (x = {inputs[i]}): level {levels[i]} is worth {form.Value(levels[i])}, the float quantizer gives {expected[i]}");
            Assert.Equal(levels[i] * form.Scale, expected[i], expected[i] * 1e-6f + 1e-7f);
        }
        Assert.True(levels.Distinct().Count() > 1, "the inputs reach more than one level");
    }

    [Theory]
    [MemberData(nameof(FamiliesAndBits))]
    public void TheIntegerWeightLevelsTimesTheirScaleAreTheFloatQuantizersOutput(QuantizerKind kind, int bits)
    {
        using var scope = NewDisposeScope();
        var random = new Random(100 + bits);
        var context = new SwitchContext([new Precision(bits, 32)]);
        var latent = RandomTensor(random, 4 * 27, -1.5f, 1.5f).reshape(4, 27);
        using var quantizer = new WeightQuantizer("w", context, kind, latent);
        using var quantized = quantizer.forward(latent);
        var values = Floats(quantized);

        var grid = quantizer.Grid(0, bits, values);
        var weights = WeightLevels.FromQuantized(values, 4, 27, bits, grid, kind);
        Assert.Equal(grid, weights.Grid);
        Assert.True(grid.Scale > 0);
        Assert.Equal(grid.Maximum, grid.Minimum + grid.Spacing * ((1 << bits) - 1));
        for (int i = 0; i < values.Length; i++)
        {
            int level = weights.Levels[i];
            Assert.True(level >= grid.Minimum && level <= grid.Maximum && (level - grid.Minimum) % grid.Spacing == 0,
                $"{kind} {bits}-bit weight {i}: level {level} is not on the grid {grid}");
            // The plan multiplies exact integer sums by the scale once. The float forward may compute a value another
            // way (DoReFa writes 2 (L / n) - 1), so level * scale matches it up to one rounding at the grid's largest value.
            Assert.Equal(values[i], level * grid.Scale, grid.Maximum * grid.Scale * MathF.Pow(2, -23));
        }
        Assert.True(weights.Levels.Distinct().Count() > 1, "the weights reach more than one level");
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void SavedParameterAndBufferNamesPerSwitchAreThoseOfSavedModels(QuantizerKind kind)
    {
        using var scope = NewDisposeScope();
        Assert.True(SavedNames.ContainsKey(kind), $"Add the saved names of {kind} to this test.");
        var (weight, input, buffers) = SavedNames[kind];
        var context = new SwitchContext(SavedNameSwitches);
        using var latent = RandomTensor(new Random(3), 12, -1f, 1f);
        using var weights = new WeightQuantizer("w", context, kind, latent);
        using var activations = new ActivationQuantizer("a", context, kind);
        Assert.Equal(weight, weights.named_parameters().Select(p => p.name).ToArray());
        Assert.Empty(weights.named_buffers());
        Assert.Equal(input, activations.named_parameters().Select(p => p.name).ToArray());
        Assert.Equal(buffers, activations.named_buffers().Select(b => b.name).ToArray());
    }

    [Theory]
    [MemberData(nameof(FamiliesAndBits))]
    public void GradientsReachTheLatentWeightsTheInputsAndEveryLearnedParameterOfTheActiveSwitch(QuantizerKind kind, int bits)
    {
        using var scope = NewDisposeScope();
        var random = new Random(200 + bits);
        var context = new SwitchContext([new Precision(bits, bits), Precision.FullPrecision]);
        context.ActiveIndex = 0;
        var latent = RandomTensor(random, 64, -1f, 1f).requires_grad_(true);
        using var weights = new WeightQuantizer("w", context, kind, latent);
        using var activations = new ActivationQuantizer("a", context, kind, initialAlpha: 1.5f);
        var x = RandomTensor(random, 64, -0.5f, 2.5f).requires_grad_(true);
        activations.train();

        using var loss = weights.forward(latent).mul(activations.forward(x)).sum();
        loss.backward();
        AssertSomeNonZero(latent.grad, $"{kind} {bits}-bit latent weights");
        AssertSomeNonZero(x.grad, $"{kind} {bits}-bit inputs");
        foreach (var (name, parameter) in weights.named_parameters().Concat(activations.named_parameters()))
        {
            bool active = name.EndsWith("_0", StringComparison.Ordinal);
            if (active) AssertSomeNonZero(parameter.grad, $"{kind} {bits}-bit {name}");
            else Assert.Null(parameter.grad);
        }
    }

    [Fact]
    public void AnUnregisteredQuantizerFailsAtNetworkConstructionNamingItAndTheRegisteredOnes()
    {
        var error = Assert.Throws<ArgumentException>(() => NetworkFactory.Create(new NetworkOptions { Quantizer = (QuantizerKind)99 }));
        Assert.Equal("Quantizer 99 is not defined: expected one of DoReFa, Pact, Lsq. (Parameter 'options')", error.Message);

        var context = new SwitchContext([new Precision(1, 1)]);
        var direct = Assert.Throws<ArgumentException>(() => new ActivationQuantizer("a", context, (QuantizerKind)99));
        Assert.Equal("kind", direct.ParamName);
        Assert.StartsWith("Quantizer 99 is not defined: expected one of DoReFa, Pact, Lsq.", direct.Message);
    }

    [Fact]
    public void OnlyFamiliesOnTheUnitRangeAcceptClippedFullPrecisionActivations()
    {
        foreach (var family in QuantizerRegistry.All)
        {
            string? problem = QuantizerRegistry.ClipProblem(clip: true, family.Kind);
            Assert.Equal(family.SupportsClipFullPrecisionActivations, problem is null);
            Assert.Null(QuantizerRegistry.ClipProblem(clip: false, family.Kind));
        }
        Assert.Equal("ClipFullPrecisionActivations clips to DoReFa's range [0, 1]: expected Quantizer DoReFa, got Lsq.",
            QuantizerRegistry.ClipProblem(clip: true, QuantizerKind.Lsq));
    }

    // Learned state away from its initial value, the way training leaves it.
    private static void SetLearnedState(ActivationQuantizer quantizer, Random random)
    {
        quantizer.train();
        using (quantizer.forward(RandomTensor(random, 256, 0f, 3f))) { }
        using var _ = no_grad();
        if (quantizer.Kind == QuantizerKind.Pact) quantizer.LearnedScale(0)!.fill_(0.5f + 3 * random.NextSingle());
    }

    private static Tensor RandomTensor(Random random, int count, float low, float high)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = low + (high - low) * random.NextSingle();
        values[0] = 0f;
        values[1] = 1f;
        return tensor(values);
    }

    private static float[] Floats(Tensor t)
    {
        using var detached = t.detach();
        return detached.contiguous().data<float>().ToArray();
    }

    private static void AssertSomeNonZero(Tensor? gradient, string what)
    {
        Assert.True(gradient is not null, $"{what}: no gradient");
        Assert.True(Floats(gradient).Any(g => g != 0), $"{what}: gradient is all zero");
    }
}
