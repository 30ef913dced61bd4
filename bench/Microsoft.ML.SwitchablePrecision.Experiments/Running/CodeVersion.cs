using System.Diagnostics;
using System.Reflection;

namespace Microsoft.ML.SwitchablePrecision.Experiments.Running;

/// <summary>
/// The git commit of the code that runs: the commit the SDK stamped into this assembly at build time (its
/// informational version ends in "+commit"), else the HEAD of the checkout the runner works in.
/// </summary>
/// <remarks>
/// The build commit matters when a binary built in one worktree writes results into another: the checkout's HEAD
/// would then name code that did not run. <see cref="Dirty"/> says the checkout had uncommitted changes to tracked
/// files while being at the same commit as the build; uncommitted changes in a different build tree are not visible.
/// </remarks>
internal sealed record CodeVersion(string Commit, bool Dirty)
{
    /// <summary>What is recorded outside a git checkout (or without git).</summary>
    public const string Unknown = "unknown";

    /// <summary>Reads the build commit of <paramref name="build"/> (default: this assembly) and the state of <paramref name="folder"/>.</summary>
    public static CodeVersion Read(string folder, Assembly? build = null)
    {
        string? built = BuildCommit(build ?? typeof(CodeVersion).Assembly);
        string? head = Git(folder, "rev-parse HEAD");
        if (head is { Length: not 40 }) head = null;
        string? commit = built ?? head;
        if (commit is null) return new CodeVersion(Unknown, false);
        bool dirty = head == commit && !string.IsNullOrEmpty(Git(folder, "status --porcelain --untracked-files=no"));
        return new CodeVersion(commit, dirty);
    }

    /// <summary>The 40-digit commit after '+' in the assembly's informational version, or null.</summary>
    internal static string? BuildCommit(Assembly assembly)
    {
        string? version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        int plus = version?.LastIndexOf('+') ?? -1;
        if (version is null || plus < 0) return null;
        string commit = version[(plus + 1)..];
        return commit.Length == 40 && commit.All(char.IsAsciiHexDigitLower) ? commit : null;
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
