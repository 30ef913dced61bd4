using System.Text.Json;
using System.Text.Json.Serialization;

namespace Microsoft.ML.SwitchablePrecision.Experiments.Cells;

/// <summary>
/// One JSON file per finished cell, named by its key. Files are written to a temporary name and renamed, so an
/// interrupted run leaves no file and the cell runs again next time.
/// </summary>
internal sealed class CellCache
{
    /// <summary>The JSON settings of cell files and results.json.</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>Uses (and creates) <paramref name="folder"/>.</summary>
    public CellCache(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        Folder = folder;
        Directory.CreateDirectory(folder);
    }

    /// <summary>The folder holding the cell files.</summary>
    public string Folder { get; }

    /// <summary>The file of <paramref name="spec"/>.</summary>
    public string PathOf(CellSpec spec) => Path.Combine(Folder, spec.Key + ".json");

    /// <summary>The cached result of <paramref name="spec"/>, or null when the cell has not finished.</summary>
    /// <exception cref="InvalidDataException">The file exists but is not a result of this spec.</exception>
    public CellResult? TryLoad(CellSpec spec)
    {
        string path = PathOf(spec);
        if (!File.Exists(path)) return null;
        var result = Read(path);
        if (result.Spec.Key != spec.Key)
            throw new InvalidDataException($"Cell file '{path}' holds the result of cell '{result.Spec.Key}', not '{spec.Key}'.");
        return result;
    }

    /// <summary>Writes <paramref name="result"/> atomically (temporary file, then rename).</summary>
    public void Store(CellResult result)
    {
        string path = PathOf(result.Spec);
        string temporary = path + ".tmp-" + Environment.ProcessId;
        File.WriteAllText(temporary, JsonSerializer.Serialize(result, Json));
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Every finished cell in the folder, ordered by key.</summary>
    public IReadOnlyList<CellResult> LoadAll() =>
        Directory.EnumerateFiles(Folder, "*.json").Order(StringComparer.Ordinal).Select(Read).ToList();

    private static CellResult Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<CellResult>(File.ReadAllText(path), Json)
                ?? throw new InvalidDataException($"Cell file '{path}' holds null; expected a cell result.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Cell file '{path}' is not a valid cell result: {e.Message}", e);
        }
    }
}
