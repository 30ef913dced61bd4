namespace Microsoft.ML.SwitchablePrecision.Experiments.Cells;

/// <summary>What a cell trains.</summary>
internal enum CellKind
{
    /// <summary>One shared network trained jointly at every switch of a family.</summary>
    SpNet,

    /// <summary>A network built with a single switch, trained alone with the same recipe and epochs.</summary>
    Dedicated,
}
