using System.Diagnostics;
using TorchSharp;
using static Microsoft.ML.SwitchablePrecision.Tests.Reliability.UntrainedModels;

namespace Microsoft.ML.SwitchablePrecision.Tests.Reliability;

[Collection(ProcessCountersCollection.Name)]
public sealed class LoadLeakTests
{
    [Fact]
    public void LoadingAndDisposingAModel200TimesLeavesNoLiveTensorAndKeepsResidentMemoryFlat()
    {
        var ml = new MLContext(seed: 1);
        var folder = Directory.CreateTempSubdirectory("spnet-leak").FullName;
        try
        {
            var (model, data) = Pipeline(ml, 10, [new(1, 1), Precision.FullPrecision]);
            var path = Save(ml, model, data, folder, "model.zip");
            (model as IDisposable)?.Dispose();
            void Cycle(int i)
            {
                var loaded = ml.Model.Load(path, out _);
                if (i % 50 == 0) Assert.Equal(20, Scores(loaded, data).Count);
                (loaded as IDisposable)?.Dispose();
            }
            // Warm-up, with one scoring pass: the first loads and forward pass grow the heaps and caches once.
            for (int i = 0; i < 40; i++) Cycle(i);
            long tensors = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            long resident = ResidentBytes();
            long managed = GC.GetTotalMemory(forceFullCollection: true);

            for (int i = 0; i < 200; i++) Cycle(i);

            Assert.Equal(tensors, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
            // Resident memory moves by up to about 25 MB between runs (allocator noise, measured); 200 leaked copies of
            // this network's weights would add 56 MB. The live-tensor count above is the exact check.
            long growth = ResidentBytes() - resident;
            Assert.True(growth < 40L << 20, $"resident memory grew by {growth >> 20} MB over 200 loads (managed heap {(GC.GetTotalMemory(true) - managed) >> 20} MB)");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static long ResidentBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        SwitchablePrecision.Training.NativeMemory.ReleaseFreedPages();
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }
}
