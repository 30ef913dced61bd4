namespace SpNet.Serve.LoadTest;

/// <summary>What <c>--load-test</c> runs.</summary>
/// <param name="ModelPath">The model.zip to serve.</param>
/// <param name="ImageFolder">Class sub-folders of PNG images to send.</param>
/// <param name="Output">Folder for the chart and the table.</param>
/// <param name="Target">The governor's p95 latency target; null: chosen from the calibration (see <see cref="LoadTest"/>).</param>
/// <param name="Duration">Length of each ramp run.</param>
/// <param name="PeakClients">Concurrent clients at the middle of each ramp run, and throughout the calibration.</param>
/// <param name="CalibrationSeconds">Length of the calibration run of each switch.</param>
internal sealed record LoadTestSettings(string ModelPath, string ImageFolder, string Output, TimeSpan? Target, TimeSpan Duration, int PeakClients,
    double CalibrationSeconds = 5);
