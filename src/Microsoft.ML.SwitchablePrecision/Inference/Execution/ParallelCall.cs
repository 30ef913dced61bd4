namespace Microsoft.ML.SwitchablePrecision.Inference.Execution;

/// <summary>
/// One multi-threaded <see cref="InferencePlan.Predict"/>: the batch is cut into contiguous parts, more parts than
/// threads, that the calling thread and thread-pool workers take with an interlocked counter, each part on its own
/// workspace. Small parts taken on demand keep the threads busy to the end when one of them runs slower or starts
/// late (measured in docs/kernels.md, "AMD EPYC Zen 4"). The caller works
/// too and only waits for parts already taken, so a busy thread pool slows a call down but never blocks it. Queued
/// as an <see cref="IThreadPoolWorkItem"/> and reused from <see cref="ParallelCallPool"/>: nothing is allocated. A call
/// whose queued workers have not all finished when its parts are done is left to them (a late worker of one call must
/// never take a part of the next): the last of them puts it back into the pool.
/// </summary>
internal sealed unsafe class ParallelCall : IThreadPoolWorkItem
{
    private readonly InferencePlan _plan;
    private readonly ParallelCallPool _pool;
    private readonly ManualResetEventSlim _done = new(false);
    private int _abandoned;
    private float* _images;
    private float* _logits;
    private int _batch;
    private int _parts;
    private int _next;
    private int _remaining;
    private int _outstandingWorkers;
    private Exception? _failure;

    public ParallelCall(InferencePlan plan, ParallelCallPool pool)
    {
        _plan = plan;
        _pool = pool;
        // Created now: a wait that has to block would otherwise allocate the kernel event on the calling thread.
        _ = _done.WaitHandle;
    }

    /// <summary>Runs the call on the caller and <paramref name="workers"/> pool threads; returns when every part is done, true when the object may be reused.</summary>
    public bool Run(ReadOnlySpan<float> images, Span<float> logits, int batch, int parts, int workers)
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
            Volatile.Write(ref _outstandingWorkers, workers);
            for (int i = 0; i < workers; i++) ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
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
        if (Volatile.Read(ref _outstandingWorkers) == 0) return true;
        // Exactly one of the caller and the last late worker takes the flag back and returns the object to the pool.
        Interlocked.Exchange(ref _abandoned, 1);
        return Volatile.Read(ref _outstandingWorkers) == 0 && Interlocked.Exchange(ref _abandoned, 0) == 1;
    }

    /// <summary>A thread-pool worker's share.</summary>
    public void Execute()
    {
        Work();
        if (Interlocked.Decrement(ref _outstandingWorkers) == 0 && Interlocked.Exchange(ref _abandoned, 0) == 1)
            _pool.Return(this);
    }

    private void Work()
    {
        int part;
        while ((part = Interlocked.Increment(ref _next) - 1) < Volatile.Read(ref _parts))
        {
            try
            {
                int first = (int)((long)_batch * part / _parts), end = (int)((long)_batch * (part + 1) / _parts);
                int length = _plan.InputLength, classes = _plan.Classes;
                _plan.PredictRange(new ReadOnlySpan<float>(_images, _batch * length), new Span<float>(_logits, _batch * classes),
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
    public void Run(ReadOnlySpan<float> images, Span<float> logits, int batch, int parts, int workers)
    {
        ParallelCall? call = null;
        for (int i = 0; i < _free.Length && call is null; i++) call = Interlocked.Exchange(ref _free[i], null);
        call ??= new ParallelCall(plan, this);
        if (call.Run(images, logits, batch, parts, workers)) Return(call);
    }

    /// <summary>Puts a finished call back (dropped when the pool is full).</summary>
    public void Return(ParallelCall call)
    {
        for (int i = 0; i < _free.Length; i++)
            if (Interlocked.CompareExchange(ref _free[i], call, null) is null) break;
    }
}
