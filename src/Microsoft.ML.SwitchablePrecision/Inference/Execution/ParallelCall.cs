namespace Microsoft.ML.SwitchablePrecision.Inference.Execution;

/// <summary>
/// One multi-threaded <see cref="InferencePlan.Predict"/>: the batch is cut into contiguous parts that the calling
/// thread and thread-pool workers take with an interlocked counter, each part on its own workspace. The caller works
/// too and only waits for parts already taken, so a busy thread pool slows a call down but never blocks it. Queued
/// as an <see cref="IThreadPoolWorkItem"/> and reused from <see cref="ParallelCallPool"/>: nothing is allocated. A call
/// whose queued workers have not all finished when its parts are done is not reused (a late worker of one call must
/// never take a part of the next).
/// </summary>
internal sealed unsafe class ParallelCall(InferencePlan plan) : IThreadPoolWorkItem
{
    private readonly ManualResetEventSlim _done = new(false);
    private float* _images;
    private float* _logits;
    private int _batch;
    private int _parts;
    private int _next;
    private int _remaining;
    private int _outstandingWorkers;
    private Exception? _failure;

    /// <summary>Runs the call; returns when every part is done, true when the object may be reused.</summary>
    public bool Run(ReadOnlySpan<float> images, Span<float> logits, int batch, int parts)
    {
        fixed (float* source = images)
        fixed (float* target = logits)
        {
            _images = source;
            _logits = target;
            _batch = batch;
            _parts = parts;
            _failure = null;
            _done.Reset();
            Volatile.Write(ref _remaining, parts);
            Interlocked.Exchange(ref _next, 0);
            Volatile.Write(ref _outstandingWorkers, parts - 1);
            for (int i = 1; i < parts; i++) ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
            Work();
            if (Volatile.Read(ref _remaining) != 0) _done.Wait();
            _images = null;
            _logits = null;
        }
        if (_failure is { } failure) throw new AggregateException("A part of a parallel prediction failed.", failure);
        // A worker that did the last part is a few instructions from leaving: wait for it briefly, so the object
        // can be reused; a worker still queued is not waited for (the object is then dropped).
        var spin = new SpinWait();
        while (Volatile.Read(ref _outstandingWorkers) != 0 && spin.Count < 20) spin.SpinOnce(sleep1Threshold: -1);
        return Volatile.Read(ref _outstandingWorkers) == 0;
    }

    /// <summary>A thread-pool worker's share.</summary>
    public void Execute()
    {
        Work();
        Interlocked.Decrement(ref _outstandingWorkers);
    }

    private void Work()
    {
        int part;
        while ((part = Interlocked.Increment(ref _next) - 1) < Volatile.Read(ref _parts))
        {
            try
            {
                int first = (int)((long)_batch * part / _parts), end = (int)((long)_batch * (part + 1) / _parts);
                int length = plan.InputLength, classes = plan.Classes;
                plan.PredictRange(new ReadOnlySpan<float>(_images, _batch * length), new Span<float>(_logits, _batch * classes),
                    first, end - first);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _failure, e, null);
            }
            if (Interlocked.Decrement(ref _remaining) == 0) _done.Set();
        }
    }
}

/// <summary>Lock-free pool of <see cref="ParallelCall"/>s of one plan (same scheme as <see cref="WorkspacePool"/>).</summary>
internal sealed class ParallelCallPool(InferencePlan plan)
{
    private readonly ParallelCall?[] _free = new ParallelCall?[Math.Max(4, Environment.ProcessorCount)];

    /// <summary>Runs one parallel prediction on a pooled call object.</summary>
    public void Run(ReadOnlySpan<float> images, Span<float> logits, int batch, int parts)
    {
        ParallelCall? call = null;
        for (int i = 0; i < _free.Length && call is null; i++) call = Interlocked.Exchange(ref _free[i], null);
        call ??= new ParallelCall(plan);
        if (!call.Run(images, logits, batch, parts)) return;
        for (int i = 0; i < _free.Length; i++)
            if (Interlocked.CompareExchange(ref _free[i], call, null) is null) break;
    }
}
