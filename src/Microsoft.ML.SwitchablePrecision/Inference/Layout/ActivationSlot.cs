namespace Microsoft.ML.SwitchablePrecision.Inference.Layout;

/// <summary>
/// A named activation of a plan: <see cref="PerImage"/> floats or bytes per image. The layout pass of the builder
/// assigns it a <see cref="Buffer"/> of its element type, shared with slots whose lifetimes do not overlap.
/// </summary>
internal sealed class ActivationSlot(string name, bool isLevels, int perImage)
{
    /// <summary>What the slot holds, for messages and plan descriptions.</summary>
    public string Name { get; } = name;

    /// <summary>True for byte levels, false for floats.</summary>
    public bool IsLevels { get; } = isLevels;

    /// <summary>Elements per image.</summary>
    public int PerImage { get; } = perImage;

    /// <summary>Index of the workspace buffer (of <see cref="IsLevels"/>'s element type) holding this slot.</summary>
    public int Buffer { get; internal set; } = -1;

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({(IsLevels ? "levels" : "float")} x {PerImage})";
}
