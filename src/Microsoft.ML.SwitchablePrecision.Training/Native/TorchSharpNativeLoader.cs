using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Microsoft.ML.SwitchablePrecision.Native;

/// <summary>
/// First-use fallback that makes TorchSharp's native library load on Linux systems whose libstdc++ lacks
/// <see cref="LibTorchSharpPatch.MissingVersion"/>, for consumers no build step patched (a ProjectReference from
/// outside this repository, files copied by hand). It runs once, when the library's code is first used and before
/// it touches TorchSharp: where the copy next to the application still has the hard requirement, it writes a
/// patched copy into a per-user cache folder (never into the application) and loads it, with the libtorch files
/// it depends on from the application's own folder, so TorchSharp's later lookup of <c>LibTorchSharp</c> finds
/// the already loaded library by its soname.
/// </summary>
internal static class TorchSharpNativeLoader
{
    private static readonly string[] Dependencies = ["libc10.so", "libtorch_cpu.so", "libtorch.so"];

    /// <summary>What the fallback did, for the message of a later load failure.</summary>
    public static string Outcome { get; private set; } = "not run";

    /// <summary>The copy of libLibTorchSharp.so next to the application, or null when none was found.</summary>
    public static string? ApplicationCopy { get; private set; }

#pragma warning disable CA2255 // A module initializer is the one hook that runs before any torch call of this library.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Initialize()
    {
        try
        {
            Outcome = Prepare();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException
                                      or DllNotFoundException or BadImageFormatException)
        {
            Outcome = $"the first-use fix failed: {e.Message.TrimEnd('.')}";
        }
    }

    private static string Prepare()
    {
        if (!OperatingSystem.IsLinux()) return "not Linux: nothing to do";
        ApplicationCopy = FindApplicationCopy();
        if (LibTorchSharpPatch.SystemLibStdCxxHas(LibTorchSharpPatch.MissingVersion))
            return $"the system libstdc++ provides {LibTorchSharpPatch.MissingVersion}: nothing to do";
        if (ApplicationCopy is null) return $"no {LibTorchSharpPatch.FileName} next to the application";
        var elf = File.ReadAllBytes(ApplicationCopy);
        if (LibTorchSharpPatch.Inspect(elf) != LibTorchSharpState.Required)
            return $"{ApplicationCopy} loads as it is (patched at build time)";

        LibTorchSharpPatch.MarkWeak(elf);
        var cached = CachedCopyPath(elf);
        if (!File.Exists(cached) || LibTorchSharpPatch.Inspect(File.ReadAllBytes(cached)) != LibTorchSharpState.Weak)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(cached)!);
            LibTorchSharpPatch.WriteAtomically(cached, elf);
        }
        var folder = Path.GetDirectoryName(ApplicationCopy)!;
        foreach (var dependency in Dependencies)
        {
            var path = Path.Combine(folder, dependency);
            if (File.Exists(path)) NativeLibrary.Load(path);
        }
        NativeLibrary.Load(cached);
        return $"loaded a patched copy of {ApplicationCopy} from {cached}";
    }

    // Where the runtime looks first for TorchSharp's DllImport("LibTorchSharp"): the host's native search
    // directories (runtimes/<rid>/native of the output, or the application folder of a RID-specific publish).
    private static string? FindApplicationCopy()
    {
        var folders = new List<string>();
        if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string searchDirectories)
            folders.AddRange(searchDirectories.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        folders.Add(AppContext.BaseDirectory);
        folders.Add(Path.Combine(AppContext.BaseDirectory, "runtimes", RuntimeInformation.RuntimeIdentifier, "native"));
        folders.Add(Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native"));
        return folders.Select(folder => Path.Combine(folder, LibTorchSharpPatch.FileName)).FirstOrDefault(File.Exists);
    }

    // One folder per distinct patched image, so different TorchSharp builds never share a copy.
    private static string CachedCopyPath(byte[] patched)
    {
        var cacheRoot = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (string.IsNullOrEmpty(cacheRoot))
        {
            var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            if (string.IsNullOrEmpty(home))
                throw new IOException("neither XDG_CACHE_HOME nor a home folder is set, so there is no per-user cache folder for the patched copy");
            cacheRoot = Path.Combine(home, ".cache");
        }
        var hash = Convert.ToHexStringLower(SHA256.HashData(patched))[..16];
        return Path.Combine(cacheRoot, "Microsoft.ML.SwitchablePrecision", "libtorchsharp-" + hash, LibTorchSharpPatch.FileName);
    }
}
