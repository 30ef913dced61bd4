using System.Diagnostics;
using System.Net.Http.Json;
using Microsoft.ML.SwitchablePrecision;
using Microsoft.ML.SwitchablePrecision.OnDemand;
using SpNet.Serve.Serving;

namespace SpNet.Serve.LoadTest;

/// <summary>
/// One bounded load test: starts the server on a free loopback port, ramps concurrent clients from 1 to the peak and
/// back (<see cref="LoadRamp"/>) for a fixed time, then stops the clients and the server.
/// </summary>
internal static class LoadTestRun
{
    /// <summary>
    /// Runs against a freshly loaded <paramref name="modelPath"/>: with <paramref name="fixedSwitch"/> null under
    /// <c>PrecisionGovernor.ForLatency(target, 0.95)</c>, otherwise at that switch without a governor.
    /// <paramref name="clientsAt"/> gives the concurrent clients at each moment (at most <paramref name="peakClients"/>).
    /// </summary>
    public static async Task<LoadRunResult> RunAsync(string modelPath, IReadOnlyList<LabelledImage> images, Precision? fixedSwitch,
        TimeSpan target, TimeSpan duration, int peakClients, Func<TimeSpan, int> clientsAt)
    {
        using var model = ServedModel.Load(modelPath);
        await using var app = ServeApp.Build(model, port: 0);
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = ServeApp.Address(app) };

        // Warm-up of every switch: each compiles its plan on first use, which would read as a latency spike.
        foreach (var precision in model.SpNet.Switches)
        {
            model.SpNet.Precision = precision;
            for (int i = 0; i < 5; i++) await PostAsync(http, images[i % images.Count]);
        }
        model.SpNet.Precision = fixedSwitch ?? model.SpNet.Switches.Max();
        var start = Stopwatch.StartNew();
        if (fixedSwitch is null) model.SpNet.Governor = PrecisionGovernor.ForLatency(target, 0.95);
        var changesBefore = model.Changes.Count;

        var samples = new List<LoadSample>();
        var active = new List<(double, string)>();
        int failures = 0;
        async Task Client(int index)
        {
            var random = new Random(index);
            while (start.Elapsed < duration)
            {
                if (index >= clientsAt(start.Elapsed))
                {
                    await Task.Delay(20);
                    continue;
                }
                var image = images[random.Next(images.Count)];
                var sent = start.Elapsed;
                var answer = await PostAsync(http, image);
                var done = start.Elapsed;
                lock (samples)
                {
                    if (answer is null || !IsValid(answer, model.SpNet)) failures++;
                    else samples.Add(new LoadSample(done.TotalSeconds, (done - sent).TotalMilliseconds, answer.Milliseconds, answer.NetworkMilliseconds, answer.Switch, answer.Label, image.Label));
                }
            }
        }
        async Task Watch()
        {
            while (start.Elapsed < duration)
            {
                active.Add((start.Elapsed.TotalSeconds, model.SpNet.Precision.ToString()));
                await Task.Delay(100);
            }
        }
        await Task.WhenAll(Enumerable.Range(0, peakClients).Select(Client).Append(Watch()));
        model.SpNet.Governor = null;
        await app.StopAsync();

        var changes = model.Changes.Skip(changesBefore)
            .Select(c => $"{(c.Time - DateTimeOffset.Now + start.Elapsed).TotalSeconds:0.0} s: {c}").ToArray();
        return new LoadRunResult(fixedSwitch?.ToString() ?? "governor", samples.OrderBy(s => s.Second).ToArray(), active,
            changes, failures, model.EnginesCreated);
    }

    private static async Task<PredictResponse?> PostAsync(HttpClient http, LabelledImage image)
    {
        using var content = new ByteArrayContent(image.Bytes);
        using var response = await http.PostAsync("/predict", content);
        return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<PredictResponse>() : null;
    }

    // A valid prediction: a probability per class summing to 1, the label its arg-max, a switch of the model.
    private static bool IsValid(PredictResponse answer, SwitchablePrecisionTransformer spNet) =>
        answer.Scores.Length == spNet.ClassNames.Count && Math.Abs(answer.Scores.Sum() - 1) < 1e-3
        && spNet.ClassNames[Array.IndexOf(answer.Scores, answer.Scores.Max())] == answer.Label
        && spNet.Switches.Any(s => s.ToString() == answer.Switch);
}
