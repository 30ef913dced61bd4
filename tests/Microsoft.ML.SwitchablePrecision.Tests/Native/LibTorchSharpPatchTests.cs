using Microsoft.ML.SwitchablePrecision.Native;

namespace Microsoft.ML.SwitchablePrecision.Tests.Native;

public class LibTorchSharpPatchTests
{
    // The copy TorchSharp ships, as restored into the NuGet cache: never patched (patches touch outputs only).
    private static string ShippedCopy()
    {
        var root = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } packages
            ? packages
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var version = typeof(TorchSharp.torch).Assembly.GetName().Version!;
        return Path.Combine(root, "torchsharp", $"{version.Major}.{version.Minor}.{version.Build}", "runtimes", "linux-x64", "native",
            LibTorchSharpPatch.FileName);
    }

    [Fact]
    public void TheShippedLibraryNeedsTheVersionAndMarkingItWeakChangesTwoBytes()
    {
        if (!OperatingSystem.IsLinux()) return;
        var shipped = File.ReadAllBytes(ShippedCopy());
        Assert.Equal(LibTorchSharpState.Required, LibTorchSharpPatch.Inspect(shipped));

        var patched = (byte[])shipped.Clone();
        Assert.True(LibTorchSharpPatch.MarkWeak(patched));
        Assert.Equal(LibTorchSharpState.Weak, LibTorchSharpPatch.Inspect(patched));
        var changed = Enumerable.Range(0, shipped.Length).Where(i => shipped[i] != patched[i]).ToArray();
        Assert.Single(changed); // VER_FLG_WEAK is bit 1 of the low byte of vna_flags
        Assert.Equal(shipped[changed[0]] | 0x2, patched[changed[0]]);

        Assert.False(LibTorchSharpPatch.MarkWeak(patched));
    }

    [Fact]
    public void TheCopyThisProcessLoadedIsLoadableHere()
    {
        if (!OperatingSystem.IsLinux()) return;
        var output = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", LibTorchSharpPatch.FileName);
        var state = LibTorchSharpPatch.Inspect(File.ReadAllBytes(output));
        if (LibTorchSharpPatch.SystemLibStdCxxHas(LibTorchSharpPatch.MissingVersion))
            Assert.Equal(LibTorchSharpState.Required, state); // left as shipped where libstdc++ is new enough
        else
            Assert.Equal(LibTorchSharpState.Weak, state); // patched by the build step (Microsoft.ML.SwitchablePrecision.Training.targets)
    }

    [Theory]
    [InlineData(0)]
    [InlineData(16)]
    [InlineData(4096)]
    public void NotAnElfImageIsRejectedWithAMessage(int length)
    {
        var error = Assert.Throws<InvalidDataException>(() => LibTorchSharpPatch.Inspect(new byte[length]));
        Assert.Equal("not an ELF file", error.Message);
    }

    [Fact]
    public void ATruncatedElfImageIsRejectedNotMisread()
    {
        if (!OperatingSystem.IsLinux()) return;
        var head = File.ReadAllBytes(ShippedCopy()).AsSpan(0, 4096).ToArray();
        var error = Assert.Throws<InvalidDataException>(() => LibTorchSharpPatch.Inspect(head));
        Assert.Contains("damaged", error.Message);
    }

    [Fact]
    public void TheFallbackReportsWhatItDid()
    {
        // The module initializer ran before this test could touch the library.
        Assert.NotEqual("not run", TorchSharpNativeLoader.Outcome);
    }
}
