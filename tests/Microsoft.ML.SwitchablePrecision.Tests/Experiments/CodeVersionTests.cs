using Microsoft.ML.SwitchablePrecision.Experiments.Running;

namespace Microsoft.ML.SwitchablePrecision.Tests.Experiments;

public class CodeVersionTests
{
    [Fact]
    public void TheCommitTheRunnerWasBuiltFromWinsOverTheFolderTheResultsGoTo()
    {
        var build = typeof(CodeVersion).Assembly;
        string? built = CodeVersion.BuildCommit(build);
        string folder = HandMadeCells.TemporaryFolder();
        try
        {
            var version = CodeVersion.Read(folder, build);

            // The SDK stamps the commit when the build runs inside a git checkout, as this repository's does.
            Assert.NotNull(built);
            Assert.Matches("^[0-9a-f]{40}$", built);
            Assert.Equal(built, version.Commit);
            Assert.False(version.Dirty);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
