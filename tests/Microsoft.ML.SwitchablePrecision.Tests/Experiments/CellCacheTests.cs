using Microsoft.ML.SwitchablePrecision.Experiments.Cells;
using Microsoft.ML.SwitchablePrecision.Experiments.Matrix;
using Microsoft.ML.SwitchablePrecision.Experiments.Running;
using Microsoft.ML.SwitchablePrecision.Training;

namespace Microsoft.ML.SwitchablePrecision.Tests.Experiments;

public sealed class CellCacheTests : IDisposable
{
    private readonly string _folder = HandMadeCells.TemporaryFolder();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private (MatrixRunner Runner, List<string> Trained) Runner(CellCache cache, Func<CellSpec, bool>? interrupt = null)
    {
        var trained = new List<string>();
        var runner = new MatrixRunner(cache, (spec, _) =>
        {
            if (interrupt?.Invoke(spec) == true) throw new OperationCanceledException();
            trained.Add(spec.Key);
            return HandMadeCells.Result(spec, spec.Switches.Select(_ => 0.5).ToArray());
        }, TextWriter.Null);
        return (runner, trained);
    }

    [Fact]
    public void FinishedCellsAreSkippedAndMissingOnesRun()
    {
        var cache = new CellCache(_folder);
        var a = HandMadeCells.Dedicated("W1A1", 1);
        var b = HandMadeCells.Dedicated("W1A2", 1);
        var c = HandMadeCells.Dedicated("W1A1", 2);

        var (first, trainedFirst) = Runner(cache);
        Assert.Equal(new MatrixOutcome(2, 0), first.Run([a, b, a]));
        Assert.Equal([a.Key, b.Key], trainedFirst);

        var (second, trainedSecond) = Runner(cache);
        Assert.Equal(new MatrixOutcome(1, 2), second.Run([a, b, c]));
        Assert.Equal([c.Key], trainedSecond);

        File.Delete(cache.PathOf(b));
        var (third, trainedThird) = Runner(cache);
        Assert.Equal(new MatrixOutcome(1, 2), third.Run([a, b, c]));
        Assert.Equal([b.Key], trainedThird);
    }

    [Fact]
    public void TheMachineIsStoredAndACellFromBeforeItReadsAsUnrecorded()
    {
        var cache = new CellCache(_folder);
        var spec = HandMadeCells.Dedicated("W1A1", 1);
        cache.Store(HandMadeCells.Result(spec, 0.5) with { Machine = "AMD EPYC (family 25 model 17)" });
        Assert.Equal("AMD EPYC (family 25 model 17)", cache.TryLoad(spec)!.Machine);

        string path = cache.PathOf(spec);
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"Machine\"", "\"Unused\"", StringComparison.Ordinal));
        Assert.Null(cache.TryLoad(spec)!.Machine);
    }

    [Fact]
    public void AnInterruptedCellLeavesNoFileAndRunsAgain()
    {
        var cache = new CellCache(_folder);
        var a = HandMadeCells.Dedicated("W1A1", 1);
        var b = HandMadeCells.Dedicated("W1A2", 1);
        var (runner, _) = Runner(cache, spec => spec.Key == b.Key);

        Assert.Throws<OperationCanceledException>(() => runner.Run([a, b]));

        Assert.Equal([Path.GetFileName(cache.PathOf(a))], Directory.GetFiles(_folder).Select(Path.GetFileName));
        var (again, trained) = Runner(cache);
        Assert.Equal(new MatrixOutcome(1, 1), again.Run([a, b]));
        Assert.Equal([b.Key], trained);
    }

    [Fact]
    public void ACellClaimedByARunningProcessIsLeftToItAndAStaleClaimIsTakenOver()
    {
        var cache = new CellCache(_folder);
        var claims = new CellClaims(_folder);
        var a = HandMadeCells.Dedicated("W1A1", 1);
        var b = HandMadeCells.Dedicated("W1A2", 1);
        // Process 1 is always running; a process id above the kernel's maximum never is.
        File.WriteAllText(claims.PathOf(a), "1");
        File.WriteAllText(claims.PathOf(b), "999999999");

        var (runner, trained) = Runner(cache);

        Assert.Equal(new MatrixOutcome(1, 0, 1), runner.Run([a, b]));
        Assert.Equal([b.Key], trained);
        Assert.True(File.Exists(claims.PathOf(a)));
        Assert.False(File.Exists(claims.PathOf(b)));
        Assert.Null(cache.TryLoad(a));
    }

    [Fact]
    public void OnlyOneClaimOfACellSucceedsAndReleasingItFreesTheCell()
    {
        var claims = new CellClaims(_folder);
        var a = HandMadeCells.Dedicated("W1A1", 1);
        var first = claims.TryClaim(a);
        Assert.NotNull(first);
        Assert.Equal(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), File.ReadAllText(claims.PathOf(a)));

        first.Dispose();

        Assert.False(File.Exists(claims.PathOf(a)));
        using var second = claims.TryClaim(a);
        Assert.NotNull(second);
    }

    [Fact]
    public void AStoredCellReadsBackWithEveryField()
    {
        var cache = new CellCache(_folder);
        var spec = HandMadeCells.SpNet(Families.BinaryWeight, DistillationMode.FromTeacher, 7);
        var stored = HandMadeCells.Result(spec, 0.25, 0.5, 0.625, 0.75) with { Dirty = true };

        cache.Store(stored);
        var loaded = cache.TryLoad(spec)!;

        Assert.Equal("spnet_w1a1-w1a2-w1a4-w1a32_dorefa_fromteacher_resnet20_w1_e3_s7_fmnist100-50-abcdef12_r1", loaded.Spec.Key);
        Assert.Equal(spec.Switches, loaded.Spec.Switches);
        Assert.Equal(DistillationMode.FromTeacher, loaded.Spec.Distillation);
        Assert.Equal(stored.Test, loaded.Test);
        Assert.Equal(stored.Commit, loaded.Commit);
        Assert.True(loaded.Dirty);
        Assert.Equal(stored.FinishedUtc, loaded.FinishedUtc);
        Assert.Equal(0.625, loaded.AccuracyOf("W1A4"));
        Assert.Null(loaded.AccuracyOf("W2A2"));
        Assert.Null(cache.TryLoad(HandMadeCells.Dedicated("W1A1", 7)));
    }

    [Fact]
    public void AFileHoldingAnotherCellIsRejectedByName()
    {
        var cache = new CellCache(_folder);
        var a = HandMadeCells.Dedicated("W1A1", 1);
        var b = HandMadeCells.Dedicated("W1A2", 1);
        cache.Store(HandMadeCells.Result(a, 0.5));
        File.Move(cache.PathOf(a), cache.PathOf(b));

        var error = Assert.Throws<InvalidDataException>(() => cache.TryLoad(b));

        Assert.Equal($"Cell file '{cache.PathOf(b)}' holds the result of cell '{a.Key}', not '{b.Key}'.", error.Message);
    }

    [Fact]
    public void ACorruptFileIsRejectedByName()
    {
        var cache = new CellCache(_folder);
        var a = HandMadeCells.Dedicated("W1A1", 1);
        File.WriteAllText(cache.PathOf(a), "{ not json");

        var error = Assert.Throws<InvalidDataException>(() => cache.TryLoad(a));

        Assert.StartsWith($"Cell file '{cache.PathOf(a)}' is not a valid cell result:", error.Message);
    }
}
