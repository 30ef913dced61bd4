using Microsoft.ML.Data;

namespace Microsoft.ML.SwitchablePrecision;

/// <summary>
/// A <see cref="SwitchablePrecisionTransformer"/> seen at one fixed switch (from
/// <see cref="SwitchablePrecisionTransformer.AtPrecision"/>): it shares the network, scores every cursor and every
/// prediction at <see cref="Precision"/>, and ignores changes of the shared transformer's
/// <see cref="SwitchablePrecisionTransformer.Precision"/>. Saving it saves the whole model with that switch active.
/// </summary>
public sealed class FixedPrecisionTransformer : ITransformer
{
    private readonly int _switchIndex;

    internal FixedPrecisionTransformer(SwitchablePrecisionTransformer model, int switchIndex)
    {
        Model = model;
        _switchIndex = switchIndex;
    }

    /// <summary>The switch every row is scored at.</summary>
    public Precision Precision => Model.Switches[_switchIndex];

    /// <summary>The switchable transformer whose network this view shares.</summary>
    public SwitchablePrecisionTransformer Model { get; }

    /// <summary>Always <c>true</c>: rows are scored independently, so <c>PredictionEngine</c> works.</summary>
    public bool IsRowToRowMapper => true;

    /// <inheritdoc cref="SwitchablePrecisionTransformer.GetOutputSchema"/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => Model.GetOutputSchema(inputSchema);

    /// <summary>Scores <paramref name="input"/> lazily at <see cref="Precision"/>.</summary>
    public IDataView Transform(IDataView input) => Model.Transform(input, _switchIndex);

    /// <summary>A row-to-row mapper scoring at <see cref="Precision"/>, as <c>PredictionEngine</c> uses.</summary>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => Model.CreateRowMapper(inputSchema, _switchIndex);

    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        Model.ThrowIfDisposed();
        ModelStorage.Save(ctx, Model, Precision);
    }
}
