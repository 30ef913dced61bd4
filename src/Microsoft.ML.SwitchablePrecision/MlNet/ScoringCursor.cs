using Microsoft.ML.Data;

namespace Microsoft.ML.SwitchablePrecision;

/// <summary>
/// Scores rows in batches. A second input cursor, with only the feature column active, runs up to one batch
/// ahead of the main cursor; the main cursor serves the passed-through columns row by row. Both read the input
/// in its natural order, so row k of a batch belongs to the main cursor's k-th row.
/// </summary>
internal sealed class ScoringCursor : DataViewRowCursor
{
    // At most 64 Mi pixel values (256 MB) per batch buffer, whatever ScoringBatchSize a stored model carries.
    private const int MaxBatchValues = 1 << 26;

    private readonly SwitchablePrecisionTransformer _transformer;
    private readonly DataViewRowCursor _main;
    private readonly DataViewRowCursor? _ahead;
    private readonly ValueGetter<VBuffer<float>>? _aheadFeatures;
    private readonly int _inputColumns;
    private readonly int _switchIndex;
    private readonly bool _governed;
    private readonly int _batchSize;
    private readonly int _imageSize;
    private readonly int _classes;
    private float[] _pixels = [];
    private float[] _probabilities = [];
    private bool[] _valid = [];
    private int _batchCount;
    private int _indexInBatch = -1;
    private VBuffer<float> _row;

    public ScoringCursor(SwitchablePrecisionTransformer transformer, IDataView input, DataViewSchema schema,
        IReadOnlyList<DataViewSchema.Column> passThrough, bool scoring, int switchIndex, bool governed = false)
    {
        _governed = governed;
        _transformer = transformer;
        Schema = schema;
        _inputColumns = input.Schema.Count;
        _switchIndex = switchIndex;
        _imageSize = transformer.Geometry.Size;
        _batchSize = Math.Clamp(transformer.Options.ScoringBatchSize, 1, Math.Max(1, MaxBatchValues / _imageSize));
        _classes = transformer.ClassNames.Count;
        _main = input.GetRowCursor(passThrough);
        if (scoring)
        {
            var features = input.Schema[transformer.Options.FeatureColumnName];
            _ahead = input.GetRowCursor([features]);
            _aheadFeatures = _ahead.GetGetter<VBuffer<float>>(features);
            _pixels = new float[_batchSize * _imageSize];
            _valid = new bool[_batchSize];
        }
    }

    public override DataViewSchema Schema { get; }

    public override long Position => _main.Position;

    public override long Batch => _main.Batch;

    public override ValueGetter<DataViewRowId> GetIdGetter() => _main.GetIdGetter();

    public override bool IsColumnActive(DataViewSchema.Column column) =>
        column.Index < _inputColumns ? _main.IsColumnActive(_main.Schema[column.Index]) : _ahead is not null;

    public override bool MoveNext()
    {
        if (!_main.MoveNext()) return false;
        if (_ahead is null) return true;
        if (++_indexInBatch >= _batchCount)
        {
            FillBatch();
            if (_batchCount == 0)
                throw new InvalidOperationException("The input data view returned fewer rows to the scoring cursor than to the main cursor.");
        }
        return true;
    }

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (column.Index < _inputColumns) return _main.GetGetter<TValue>(_main.Schema[column.Index]);
        if (_ahead is null) throw new InvalidOperationException($"Column '{column.Name}' was not requested when the cursor was created.");
        if (column.Index == _inputColumns)
        {
            ValueGetter<VBuffer<float>> score = GetScore;
            return score as ValueGetter<TValue> ?? throw TypeMismatch<TValue>(column, "VBuffer<Single>");
        }
        ValueGetter<uint> predicted = GetPredictedLabel;
        return predicted as ValueGetter<TValue> ?? throw TypeMismatch<TValue>(column, "UInt32 key");
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _main.Dispose();
            _ahead?.Dispose();
        }
        base.Dispose(disposing);
    }

    private void FillBatch()
    {
        _batchCount = 0;
        _indexInBatch = 0;
        while (_batchCount < _batchSize && _ahead!.MoveNext())
        {
            _aheadFeatures!(ref _row);
            _valid[_batchCount] = Scoring.ReadRow(_row, _pixels.AsSpan(_batchCount * _imageSize, _imageSize),
                _transformer.Options.FeatureColumnName, _ahead!.Position, _transformer.Geometry);
            _batchCount++;
        }
        if (_batchCount == 0) return;
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        _probabilities = _transformer.Score(_pixels.AsSpan(0, _batchCount * _imageSize), _batchCount, _switchIndex);
        if (_governed) _transformer.ReportServed(_switchIndex, _batchCount, started);
        for (int i = 0; i < _batchCount; i++)
            _valid[i] &= Scoring.AllFinite(_probabilities.AsSpan(i * _classes, _classes));
    }

    private void GetScore(ref VBuffer<float> value) =>
        Scoring.WriteScore(ref value, _probabilities.AsSpan(_indexInBatch * _classes, _classes), _valid[_indexInBatch]);

    private void GetPredictedLabel(ref uint value) =>
        value = _valid[_indexInBatch] ? Scoring.ArgMaxKey(_probabilities.AsSpan(_indexInBatch * _classes, _classes)) : 0;

    private static InvalidOperationException TypeMismatch<TValue>(DataViewSchema.Column column, string expected) =>
        new($"Column '{column.Name}' holds {expected}, not {typeof(TValue).Name}.");
}
