namespace SpNet.Serve.LoadTest;

/// <summary>What <c>--load-test</c> runs.</summary>
/// <param name="ModelPath">The model.zip to serve.</param>
/// <param name="ImageFolder">Class sub-folders of PNG images to send.</param>
/// <param name="Output">Folder for the chart and the table.</param>
/// <param name="Target">The governor's p95 latency target.</param>
/// <param name="Duration">Length of each run.</param>
/// <param name="PeakClients">Concurrent clients at the middle of each run.</param>
internal sealed record LoadTestSettings(string ModelPath, string ImageFolder, string Output, TimeSpan Target, TimeSpan Duration, int PeakClients);
