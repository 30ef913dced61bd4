namespace Microsoft.ML.SwitchablePrecision;

/// <summary>
/// The lazily scored output of <see cref="SwitchablePrecisionTransformer.Transform(IDataView)"/>. Each cursor is computed at
/// the precision that was active when the cursor was created (or at a fixed switch, for per-switch evaluation).
/// </summary>
internal sealed class ScoringDataView : IDataView
{
    private readonly SwitchablePrecisionTransformer _transformer;
    private readonly IDataView _input;
    private readonly int? _fixedSwitch;

    public ScoringDataView(SwitchablePrecisionTransformer transformer, IDataView input, int? fixedSwitch = null)
    {
        _transformer = transformer;
        _input = input;
        _fixedSwitch = fixedSwitch;
        Schema = transformer.GetOutputSchema(input.Schema);
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => _input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.Select(c => c.Index).ToHashSet();
        int inputCount = _input.Schema.Count;
        bool scoring = needed.Contains(inputCount) || needed.Contains(inputCount + 1);
        var passThrough = _input.Schema.Where(c => needed.Contains(c.Index)).ToList();
        return new ScoringCursor(_transformer, _input, Schema, passThrough, scoring,
            _fixedSwitch ?? _transformer.ActiveSwitchIndex, governed: _fixedSwitch is null);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];
}
