using System.Diagnostics;
using Microsoft.ML.SwitchablePrecision.Experiments.Running;

namespace Microsoft.ML.SwitchablePrecision.Tests.Experiments;

public class CodeVersionTests
{
    [Fact]
    public void TheCommitTheRunnerWasBuiltFromWinsOverTheFolderTheResultsGoTo()
    {
        var build = typeof(CodeVersion).Assembly;
        string? built = CodeVersion.BuildCommit(build);
        // The SDK stamps the commit when the build runs inside a git checkout, as this repository's does.
        Assert.NotNull(built);
        Assert.Matches("^[0-9a-f]{40}$", built);

        // The results folder is another checkout, at a commit of its own and with an uncommitted change to a tracked file.
        string folder = HandMadeCells.TemporaryFolder();
        try
        {
            Git(folder, "init --quiet");
            File.WriteAllText(Path.Combine(folder, "tracked.txt"), "one");
            Git(folder, "add tracked.txt");
            Git(folder, "-c user.name=test -c user.email=test@test -c commit.gpgsign=false commit --quiet -m first");
            string head = Git(folder, "rev-parse HEAD");
            File.WriteAllText(Path.Combine(folder, "tracked.txt"), "two");
            Assert.NotEqual(built, head);

            var version = CodeVersion.Read(folder, build);

            Assert.Equal(built, version.Commit);
            // Its changes are not the code that ran, so they do not make the version dirty.
            Assert.False(version.Dirty);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void WithoutABuildCommitTheCheckoutsHeadIsUsedAndItsUncommittedChangesMakeItDirty()
    {
        // The test assembly's own version carries the commit too; an assembly without a '+commit' suffix stands in for
        // a build made outside a checkout.
        var unstamped = typeof(Xunit.FactAttribute).Assembly;
        Assert.Null(CodeVersion.BuildCommit(unstamped));
        string folder = HandMadeCells.TemporaryFolder();
        try
        {
            Assert.Equal(new CodeVersion(CodeVersion.Unknown, false), CodeVersion.Read(folder, unstamped));

            Git(folder, "init --quiet");
            File.WriteAllText(Path.Combine(folder, "tracked.txt"), "one");
            Git(folder, "add tracked.txt");
            Git(folder, "-c user.name=test -c user.email=test@test -c commit.gpgsign=false commit --quiet -m first");
            string head = Git(folder, "rev-parse HEAD");
            Assert.Equal(new CodeVersion(head, false), CodeVersion.Read(folder, unstamped));

            File.WriteAllText(Path.Combine(folder, "tracked.txt"), "two");
            Assert.Equal(new CodeVersion(head, true), CodeVersion.Read(folder, unstamped));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string Git(string folder, string arguments)
    {
        var start = new ProcessStartInfo("git", $"-C \"{folder}\" {arguments}")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        using var git = Process.Start(start)!;
        string output = git.StandardOutput.ReadToEnd().Trim();
        string errors = git.StandardError.ReadToEnd();
        git.WaitForExit();
        Assert.True(git.ExitCode == 0, $"git {arguments} failed: {errors}");
        return output;
    }
}
