using System.Reflection;
using Microsoft.ML.SwitchablePrecision;

namespace Microsoft.ML;

/// <summary>
/// Saving and loading model files so that a crash cannot destroy a good model and a bad file fails with one clear
/// exception: extensions of <c>mlContext.Model</c>.
/// </summary>
public static class ModelFileCatalog
{
    /// <summary>
    /// Saves <paramref name="model"/> like <c>Save(model, inputSchema, filePath)</c>, but never leaves a damaged file at
    /// <paramref name="filePath"/>: the model is written to a temporary file in the same folder, flushed to disk, and
    /// then renamed over the target in one step. If the process dies or the save fails, the previous file is still
    /// there, intact (a leftover <c>.tmp</c> file may remain next to it).
    /// </summary>
    /// <param name="catalog">The model operations catalog, <c>mlContext.Model</c>.</param>
    /// <param name="model">The trained pipeline.</param>
    /// <param name="inputSchema">The schema of the pipeline's input (stored with the model; may be null).</param>
    /// <param name="filePath">Where the .zip goes; an existing file is replaced only once the new one is complete.</param>
    public static void SaveAtomically(this ModelOperationsCatalog catalog, ITransformer model, DataViewSchema? inputSchema, string filePath)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        var target = Path.GetFullPath(filePath);
        var folder = Path.GetDirectoryName(target)!;
        var temporary = Path.Combine(folder, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                catalog.Save(model, inputSchema, stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, target, overwrite: true);
        }
        catch
        {
            try { File.Delete(temporary); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>
    /// Loads a model like <c>Load(filePath, out inputSchema)</c> and checks it before returning: every error arrives as
    /// one exception naming the file and the cause (not wrapped in <see cref="TargetInvocationException"/>), and a
    /// pipeline with an SP-Net is bound to its stored input schema, so an SP-Net whose classes or image geometry
    /// disagree with the columns before it fails here rather than at the first prediction.
    /// </summary>
    /// <param name="catalog">The model operations catalog, <c>mlContext.Model</c>.</param>
    /// <param name="filePath">The model .zip.</param>
    /// <param name="inputSchema">The input schema stored with the model.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is truncated, damaged, not a model, of a newer format, or its parts disagree.</exception>
    public static ITransformer LoadChecked(this ModelOperationsCatalog catalog, string filePath, out DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        if (!File.Exists(filePath))
            throw new FileNotFoundException($"Model file '{filePath}' does not exist.", filePath);
        ITransformer model;
        try
        {
            model = catalog.Load(filePath, out inputSchema);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw Explain(filePath, Unwrap(e));
        }
        try
        {
            if (SpNetCatalog.FindSpNet(model) is not null && inputSchema is { Count: > 0 }) model.GetOutputSchema(inputSchema);
            return model;
        }
        catch (ArgumentException e)
        {
            (model as IDisposable)?.Dispose();
            throw new InvalidDataException($"Model file '{filePath}' does not fit together: {e.Message}", e);
        }
    }

    private static Exception Unwrap(Exception error)
    {
        while (error is TargetInvocationException { InnerException: { } inner }) error = inner;
        return error;
    }

    private static InvalidDataException Explain(string filePath, Exception cause)
    {
        if (cause is InvalidDataException && cause.TargetSite?.DeclaringType?.Assembly == typeof(ModelFileCatalog).Assembly)
            return new InvalidDataException($"Model file '{filePath}': {cause.Message}", cause);
        for (var e = cause; e is not null; e = e.InnerException)
            if (e is InvalidDataException && e.TargetSite?.DeclaringType?.Namespace == "System.IO.Compression")
                return new InvalidDataException($"Model file '{filePath}' is not a complete .zip archive (truncated, or not a model file): {e.Message}", cause);
        return new InvalidDataException($"Model file '{filePath}' is not a model ML.NET can load (foreign or damaged): {cause.Message}", cause);
    }
}
