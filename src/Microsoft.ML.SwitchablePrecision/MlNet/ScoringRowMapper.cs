using Microsoft.ML.Data;

namespace Microsoft.ML.SwitchablePrecision;

/// <summary>
/// Scores one row at a time, for <c>PredictionEngine</c>. Each new input row is scored at the precision that is
/// active at that moment, so a precision change applies to the next prediction of engines already created (or always
/// at one fixed switch, for <see cref="SwitchablePrecisionTransformer.AtPrecision"/>).
/// </summary>
internal sealed class ScoringRowMapper : IRowToRowMapper
{
    private readonly SwitchablePrecisionTransformer _transformer;
    private readonly object _engine;
    private readonly int? _fixedSwitch;

    // engine: the token that marks the engine alive for the transformer while its rows are reachable.
    public ScoringRowMapper(SwitchablePrecisionTransformer transformer, DataViewSchema inputSchema, object engine, int? fixedSwitch)
    {
        _transformer = transformer;
        _engine = engine;
        _fixedSwitch = fixedSwitch;
        InputSchema = inputSchema;
        OutputSchema = transformer.GetOutputSchema(inputSchema);
    }

    public DataViewSchema InputSchema { get; }

    public DataViewSchema OutputSchema { get; }

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        var indices = dependingColumns.Select(c => c.Index).ToHashSet();
        var needed = InputSchema.Where(c => indices.Contains(c.Index)).ToList();
        if (indices.Contains(InputSchema.Count) || indices.Contains(InputSchema.Count + 1))
            needed.Add(InputSchema[_transformer.Options.FeatureColumnName]);
        return needed.DistinctBy(c => c.Index);
    }

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns) =>
        new ScoredRow(_transformer, input, OutputSchema, activeColumns.Select(c => c.Index).ToHashSet(), _engine, _fixedSwitch);

    private sealed class ScoredRow : DataViewRow
    {
        private readonly SwitchablePrecisionTransformer _transformer;
        private readonly object _engine;
        private readonly int? _fixedSwitch;
        private readonly DataViewRow _input;
        private readonly HashSet<int> _active;
        private readonly ValueGetter<VBuffer<float>> _features;
        private readonly float[] _pixels;
        private float[] _probabilities = [];
        private bool _valid;
        private long _scoredPosition = -1;
        private VBuffer<float> _row;

        public ScoredRow(SwitchablePrecisionTransformer transformer, DataViewRow input, DataViewSchema schema, HashSet<int> active,
            object engine, int? fixedSwitch)
        {
            _transformer = transformer;
            _engine = engine;
            _fixedSwitch = fixedSwitch;
            _input = input;
            _active = active;
            Schema = schema;
            _features = input.GetGetter<VBuffer<float>>(input.Schema[transformer.Options.FeatureColumnName]);
            _pixels = new float[transformer.Geometry.Size];
        }

        public override DataViewSchema Schema { get; }

        public override long Position => _input.Position;

        public override long Batch => _input.Batch;

        public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) =>
            column.Index < _input.Schema.Count ? _input.IsColumnActive(_input.Schema[column.Index]) : _active.Contains(column.Index);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            int inputCount = _input.Schema.Count;
            if (column.Index < inputCount) return _input.GetGetter<TValue>(_input.Schema[column.Index]);
            if (column.Index == inputCount)
            {
                ValueGetter<VBuffer<float>> score = (ref VBuffer<float> value) =>
                {
                    EnsureScored();
                    Scoring.WriteScore(ref value, _probabilities, _valid);
                };
                return score as ValueGetter<TValue>
                    ?? throw new InvalidOperationException($"Column '{column.Name}' holds VBuffer<Single>, not {typeof(TValue).Name}.");
            }
            ValueGetter<uint> predicted = (ref uint value) =>
            {
                EnsureScored();
                value = _valid ? Scoring.ArgMaxKey(_probabilities) : 0;
            };
            return predicted as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' holds a UInt32 key, not {typeof(TValue).Name}.");
        }

        // Score and PredictedLabel of one row share one forward pass.
        private void EnsureScored()
        {
            if (_scoredPosition == _input.Position && _input.Position >= 0) return;
            _features(ref _row);
            bool finitePixels = Scoring.ReadRow(_row, _pixels, _transformer.Options.FeatureColumnName, _input.Position, _transformer.Geometry);
            int switchIndex = _fixedSwitch ?? _transformer.ActiveSwitchIndex;
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            _probabilities = _transformer.Score(_pixels, 1, switchIndex);
            if (_fixedSwitch is null) _transformer.ReportServed(switchIndex, 1, started);
            _valid = finitePixels && Scoring.AllFinite(_probabilities);
            _scoredPosition = _input.Position;
        }
    }
}
