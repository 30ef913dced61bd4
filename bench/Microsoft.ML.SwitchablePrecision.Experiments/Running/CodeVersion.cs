using System.Diagnostics;

namespace Microsoft.ML.SwitchablePrecision.Experiments.Running;

/// <summary>The git commit of the checkout the runner works in, read when asked.</summary>
internal sealed record CodeVersion(string Commit, bool Dirty)
{
    /// <summary>What is recorded outside a git checkout (or without git).</summary>
    public const string Unknown = "unknown";

    /// <summary>Reads HEAD and whether tracked files have uncommitted changes in <paramref name="folder"/>.</summary>
    public static CodeVersion Read(string folder)
    {
        string? commit = Git(folder, "rev-parse HEAD");
        if (commit is null || commit.Length != 40) return new CodeVersion(Unknown, false);
        string? changes = Git(folder, "status --porcelain --untracked-files=no");
        return new CodeVersion(commit, !string.IsNullOrEmpty(changes));
    }

    private static string? Git(string folder, string arguments)
    {
        try
        {
            var start = new ProcessStartInfo("git", $"-C \"{folder}\" {arguments}")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var git = Process.Start(start);
            if (git is null) return null;
            string output = git.StandardOutput.ReadToEnd().Trim();
            git.StandardError.ReadToEnd();
            git.WaitForExit();
            return git.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
