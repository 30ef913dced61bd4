namespace Microsoft.ML.SwitchablePrecision.Tests.MlNet;

public sealed class ReadmeExampleTests
{
    [Fact]
    public void TheReadmeShowsTheCompiledPipelineExampleVerbatim()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "SwitchablePrecision.sln")))
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("repository root not found");
        var source = File.ReadAllLines(Path.Combine(root, "tests", "Microsoft.ML.SwitchablePrecision.Tests", "MlNet", "ReadmeExample.cs"));
        int begin = Array.FindIndex(source, l => l.Contains("// README-BEGIN"));
        int end = Array.FindIndex(source, l => l.Contains("// README-END"));
        var snippet = source[(begin + 1)..end].Select(l => l.Length >= 8 ? l[8..] : l.Trim());

        var readme = File.ReadAllText(Path.Combine(root, "README.md")).ReplaceLineEndings("\n");

        Assert.Contains(string.Join("\n", snippet), readme);
    }
}
