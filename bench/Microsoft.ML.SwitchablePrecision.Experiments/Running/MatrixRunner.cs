using Microsoft.ML.SwitchablePrecision.Experiments.Cells;

namespace Microsoft.ML.SwitchablePrecision.Experiments.Running;

/// <summary>How many cells a run trained, how many it found cached and how many it left to another running process.</summary>
internal sealed record MatrixOutcome(int Trained, int Cached, int Busy = 0);

/// <summary>
/// Runs cells in order, skipping the ones already in the cache and the ones another process is training (see
/// <see cref="CellClaims"/>), and storing each as soon as it finishes.
/// </summary>
internal sealed class MatrixRunner(CellCache cache, Func<CellSpec, CancellationToken, CellResult> train, TextWriter log)
{
    private readonly CellClaims _claims = new(cache.Folder);

    /// <summary>Called after every newly stored cell (for example to rebuild the report).</summary>
    public Action? CellStored { get; init; }

    /// <summary>Trains every cell of <paramref name="cells"/> that has no cached result; equal keys run once.</summary>
    public MatrixOutcome Run(IReadOnlyList<CellSpec> cells, CancellationToken cancellationToken = default)
    {
        var distinct = cells.DistinctBy(c => c.Key).ToList();
        int trained = 0, cached = 0, busy = 0;
        for (int i = 0; i < distinct.Count; i++)
        {
            var spec = distinct[i];
            if (cache.TryLoad(spec) is not null)
            {
                cached++;
                log.WriteLine($"[{i + 1}/{distinct.Count}] cached   {spec.Key}");
                continue;
            }
            cancellationToken.ThrowIfCancellationRequested();
            using var claim = _claims.TryClaim(spec);
            if (claim is null)
            {
                busy++;
                log.WriteLine($"[{i + 1}/{distinct.Count}] busy     {spec.Key} (another process is training it)");
                continue;
            }
            // Another process may have finished the cell between the cache check and the claim.
            if (cache.TryLoad(spec) is not null)
            {
                cached++;
                continue;
            }
            log.WriteLine($"[{i + 1}/{distinct.Count}] training {spec.Key}");
            var result = train(spec, cancellationToken);
            if (result.Spec.Key != spec.Key)
                throw new InvalidOperationException($"The trainer returned a result for '{result.Spec.Key}' when asked for '{spec.Key}'.");
            cache.Store(result);
            trained++;
            log.WriteLine(FormattableString.Invariant(
                $"[{i + 1}/{distinct.Count}] done     {spec.Key} in {result.WallSeconds:F0} s: {string.Join(" ", result.Test.Select(t => $"{t.Precision}={t.Accuracy:P2}"))}"));
            CellStored?.Invoke();
        }
        return new MatrixOutcome(trained, cached, busy);
    }
}
