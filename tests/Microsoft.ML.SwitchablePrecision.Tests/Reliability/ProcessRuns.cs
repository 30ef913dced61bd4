using System.Diagnostics;

namespace Microsoft.ML.SwitchablePrecision.Tests.Reliability;

/// <summary>Starts the programs built next to the tests (<c>dotnet &lt;name&gt;.dll ...</c>) as child processes.</summary>
internal static class ProcessRuns
{
    public static Process Start(string program, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, program + ".dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        return Process.Start(start)!;
    }

    /// <summary>Runs to the end (at most two minutes) and returns the exit code and both outputs.</summary>
    public static async Task<(int ExitCode, string Out, string Error)> RunAsync(string program, params string[] args)
    {
        using var process = Start(program, args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
