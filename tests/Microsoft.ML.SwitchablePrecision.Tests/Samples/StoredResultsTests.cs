using System.Globalization;
using System.Text.Json;
using SpNet.Train.Reporting;

namespace Microsoft.ML.SwitchablePrecision.Tests.Samples;

// The README quotes the sample's stored runs (docs/results/sample): its figures must be copies of them.
public class StoredResultsTests
{
    private static readonly string Root = FindRoot();

    private static string FindRoot()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "SwitchablePrecision.sln")))
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("repository root not found");
        return root;
    }

    private static string StoredRun(string name = "") => Path.Combine(Root, "docs", "results", "sample", name);

    // The table lines that follow the marker, up to the first line that is not a table row.
    private static string[] TableAfterMarker(string markdown)
    {
        var lines = markdown.ReplaceLineEndings("\n").Split('\n');
        int start = Array.IndexOf(lines, ResultFiles.TableStartMarker);
        Assert.True(start >= 0, $"no '{ResultFiles.TableStartMarker}' line");
        return lines.Skip(start + 1).TakeWhile(l => l.StartsWith('|')).ToArray();
    }

    [Fact]
    public void TheReadmeTableIsAnExactCopyOfTheStoredDefaultRun()
    {
        var stored = TableAfterMarker(File.ReadAllText(Path.Combine(StoredRun(), ResultFiles.MarkdownFileName)));
        var readme = TableAfterMarker(File.ReadAllText(Path.Combine(Root, "README.md")));

        Assert.Equal(6, stored.Length); // heading, rule, four switches
        Assert.Equal(stored, readme);
    }

    [Fact]
    public void TheStoredTableAgreesWithItsJsonAndTheReadmeQuotesItsAccuracies()
    {
        const string run = "";
        var table = TableAfterMarker(File.ReadAllText(Path.Combine(StoredRun(run), ResultFiles.MarkdownFileName)));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(StoredRun(run), ResultFiles.JsonFileName)));
        var switches = json.RootElement.GetProperty("Switches").EnumerateArray().ToArray();

        Assert.Equal(switches.Length, table.Length - 2);
        var accuracies = new List<string>();
        for (int i = 0; i < switches.Length; i++)
        {
            var cells = table[i + 2].Trim('|').Split('|').Select(c => c.Trim()).ToArray();
            string accuracy = (100 * switches[i].GetProperty("MicroAccuracy").GetDouble()).ToString("0.0", CultureInfo.InvariantCulture);
            Assert.Equal(switches[i].GetProperty("Precision").GetString(), cells[0]);
            Assert.Equal(accuracy + "%", cells[1]);
            Assert.Equal((switches[i].GetProperty("PackedWeightBytes").GetInt64() / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KB", cells[4]);
            accuracies.Add(accuracy);
        }

        // The README names the stored run's accuracies, in switch order, as a/b/c/d%.
        Assert.Contains(string.Join("/", accuracies) + "%", File.ReadAllText(Path.Combine(Root, "README.md")));
    }
}
