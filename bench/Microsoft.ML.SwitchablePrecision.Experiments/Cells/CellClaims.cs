using System.Diagnostics;
using System.Globalization;

namespace Microsoft.ML.SwitchablePrecision.Experiments.Cells;

/// <summary>
/// Lets several runner processes work through one matrix side by side: a process claims a cell by creating
/// <c>&lt;key&gt;.claim</c> (create-new, so only one process can win) holding its process id, and releases it when the
/// cell ends. A claim whose process no longer runs (killed, session ended) is stale and is taken over.
/// </summary>
internal sealed class CellClaims(string folder)
{
    /// <summary>The claim file of <paramref name="spec"/>.</summary>
    public string PathOf(CellSpec spec) => Path.Combine(folder, spec.Key + ".claim");

    /// <summary>Claims <paramref name="spec"/> for this process; null when another running process holds it.</summary>
    public IDisposable? TryClaim(CellSpec spec)
    {
        string path = PathOf(spec);
        for (int attempt = 0; attempt < 2; attempt++)
        {
            try
            {
                using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
                using (var writer = new StreamWriter(stream))
                    writer.Write(Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
                return new Claim(path);
            }
            catch (IOException) when (File.Exists(path))
            {
                if (IsHeldByLiveProcess(path)) return null;
                File.Delete(path);
            }
        }
        return null;
    }

    private static bool IsHeldByLiveProcess(string path)
    {
        string text;
        try { text = File.ReadAllText(path).Trim(); }
        catch (IOException) { return true; }
        // An empty file is a claim being written right now.
        if (text.Length == 0) return true;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int pid)) return false;
        if (pid == Environment.ProcessId) return false;
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private sealed class Claim(string path) : IDisposable
    {
        public void Dispose() => File.Delete(path);
    }
}
