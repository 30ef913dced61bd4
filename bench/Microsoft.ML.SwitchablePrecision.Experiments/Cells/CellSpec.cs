using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.ML.SwitchablePrecision.Training;

namespace Microsoft.ML.SwitchablePrecision.Experiments.Cells;

/// <summary>
/// One training run of the matrix: everything that decides its outcome. Rows of different experiments that need the
/// same run produce equal specs (equal <see cref="Key"/>), so the run is trained once and cached once.
/// </summary>
/// <param name="Kind">Joint SP-Net training or a dedicated single-switch model.</param>
/// <param name="Switches">The switches of the network, as written by <see cref="Precision.ToString"/> (one for a dedicated model).</param>
/// <param name="Quantizer">The quantizer family.</param>
/// <param name="Distillation">How the quantized switches learn; always <see cref="DistillationMode.Off"/> for a dedicated model.</param>
/// <param name="Architecture">The network shape.</param>
/// <param name="Width">Channel width multiplier.</param>
/// <param name="Epochs">Passes over the training data.</param>
/// <param name="Seed">Seed of the initial weights, the shuffling and the augmentation.</param>
/// <param name="Data">Identifies the training and test data (see <see cref="Running.ExperimentData.Id"/>); never a path.</param>
/// <param name="Recipe">Version of the fixed training recipe (see <see cref="Running.Recipe"/>), with a variant after '+' for diagnosis runs (for example <c>r1+meanloss</c>).</param>
internal sealed record CellSpec(
    CellKind Kind,
    IReadOnlyList<string> Switches,
    QuantizerKind Quantizer,
    DistillationMode Distillation,
    ArchitectureKind Architecture,
    double Width,
    int Epochs,
    int Seed,
    string Data,
    string Recipe)
{
    /// <summary>The switch a dedicated model is built with, or null for an SP-Net.</summary>
    public string? DedicatedPrecision => Kind == CellKind.Dedicated ? Switches[0] : null;

    /// <summary>
    /// A file-name-safe text naming every field; two specs describe the same run exactly when their keys are equal.
    /// </summary>
    public string Key => string.Create(CultureInfo.InvariantCulture,
        $"{(Kind == CellKind.SpNet ? "spnet" : "dedicated")}_{string.Join("-", Switches)}_{Quantizer}_{Distillation}_{Architecture}_w{Width:0.###}_e{Epochs}_s{Seed}_{Data}_{Recipe}")
        .ToLowerInvariant();

    /// <summary>A dedicated model of <paramref name="precision"/>; distillation has no teacher there, so it is <see cref="DistillationMode.Off"/>.</summary>
    public static CellSpec Dedicated(string precision, QuantizerKind quantizer, Budget budget, int seed) =>
        new(CellKind.Dedicated, [precision], quantizer, DistillationMode.Off, budget.Architecture, budget.Width, budget.Epochs, seed, budget.Data, budget.Recipe);

    /// <summary>A jointly trained network with <paramref name="switches"/>.</summary>
    public static CellSpec SpNet(IReadOnlyList<string> switches, QuantizerKind quantizer, DistillationMode distillation, Budget budget, int seed) =>
        new(CellKind.SpNet, switches, quantizer, distillation, budget.Architecture, budget.Width, budget.Epochs, seed, budget.Data, budget.Recipe);

    /// <summary>The recipe variant after '+' in <see cref="Recipe"/> (a diagnosis run), or null for the plain recipe.</summary>
    [JsonIgnore]
    public string? RecipeVariant => RecipeParts.Length > 1 ? RecipeParts[1] : null;

    /// <summary>The part of the spec shared by every cell of one matrix run; recipe variants belong to their base recipe's run.</summary>
    [JsonIgnore]
    public Budget Budget => new(Architecture, Width, Epochs, Data, RecipeParts[0]);

    private string[] RecipeParts => Recipe.Split('+', 2);
}

/// <summary>What every cell of one matrix run shares: network shape and size, epochs, data and recipe.</summary>
internal sealed record Budget(ArchitectureKind Architecture, double Width, int Epochs, string Data, string Recipe)
{
    /// <summary>A one-line description for table headings.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Architecture}, width x{Width:0.###}, {Epochs} epoch{(Epochs == 1 ? "" : "s")}, data {Data}, recipe {Recipe}");
}
