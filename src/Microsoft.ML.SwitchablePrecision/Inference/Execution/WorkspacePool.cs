namespace Microsoft.ML.SwitchablePrecision.Inference.Execution;

/// <summary>
/// Lock-free pool of workspaces of one plan: a fixed array of slots taken and returned with interlocked exchanges.
/// A caller that finds no free workspace (more concurrent calls than slots) gets a new one, and the pool keeps it on
/// return if a slot is free; so once the pool is warm, calls allocate nothing.
/// </summary>
internal sealed class WorkspacePool(InferenceLayout layout, int imagesPerWorkspace)
{
    private readonly Workspace?[] _free = new Workspace?[Math.Max(8, 2 * Environment.ProcessorCount)];

    /// <summary>Images each workspace holds.</summary>
    public int ImagesPerWorkspace { get; } = imagesPerWorkspace;

    /// <summary>A workspace for the calling thread's exclusive use until <see cref="Return"/>.</summary>
    public Workspace Rent()
    {
        for (int i = 0; i < _free.Length; i++)
        {
            var workspace = Interlocked.Exchange(ref _free[i], null);
            if (workspace is not null) return workspace;
        }
        return new Workspace(layout, ImagesPerWorkspace);
    }

    /// <summary>Gives a rented workspace back.</summary>
    public void Return(Workspace workspace)
    {
        for (int i = 0; i < _free.Length; i++)
            if (Interlocked.CompareExchange(ref _free[i], workspace, null) is null) return;
    }
}
