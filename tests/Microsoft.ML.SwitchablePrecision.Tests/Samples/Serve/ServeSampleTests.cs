extern alias serve;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using serve::SpNet.Serve.LoadTest;
using serve::SpNet.Serve.Serving;
using SkiaSharp;

namespace Microsoft.ML.SwitchablePrecision.Tests.Samples.Serve;

// The serving sample end to end on a tiny model: real HTTP on loopback, real PredictionEngines, the real governor.
public sealed class ServeSampleTests(TinyServedModel tiny) : IClassFixture<TinyServedModel>
{
    [Fact]
    public async Task A_short_load_test_answers_every_request_and_the_governor_steps_down_under_an_unreachable_target()
    {
        // A 1 microsecond target is missed by every request, so the governor must leave W1A32 once its dwell has passed.
        var settings = new LoadTestSettings(tiny.ModelPath, tiny.TestImages, tiny.PathOf("load"), TimeSpan.FromMilliseconds(0.001),
            TimeSpan.FromSeconds(3), PeakClients: 3, CalibrationSeconds: 1);

        string table = await LoadTest.RunAsync(settings, TextWriter.Null);

        Assert.Equal(table, File.ReadAllText(tiny.PathOf("load", LoadReport.TableFileName)));
        var rows = table.Split('\n').Where(l => l.StartsWith("| governor |") || l.StartsWith("| fixed W1A32 |")).ToArray();
        Assert.Equal(2, rows.Length);
        foreach (string row in rows)
        {
            var cells = row.Split('|').Select(c => c.Trim()).ToArray();
            Assert.Equal("0.001 ms", cells[2]);
            Assert.True(int.Parse(cells[8]) > 20, row);       // requests served
            Assert.Equal("0", cells[10]);                       // every answer a valid prediction
            // The network's p95 is part of the pipeline's, which is part of the round trip's.
            double network = Milliseconds(cells[3]), pipeline = Milliseconds(cells[5]), roundTrip = Milliseconds(cells[6]);
            Assert.True(network > 0 && network <= pipeline && pipeline <= roundTrip, row);
        }
        Assert.Equal("W1A32", rows[1].Split('|')[7].Trim());
        Assert.Equal("W1A32, W1A1", rows[0].Split('|')[7].Trim());
        // The calibration served each switch fixed, cheapest first.
        var calibration = table.Split('\n').Where(l => l.StartsWith("| W1A1 |") || l.StartsWith("| W1A32 |")).ToArray();
        Assert.Equal(2, calibration.Length);
        Assert.StartsWith("| W1A1 |", calibration[0]);
        Assert.Contains("- ", table[table.IndexOf("Governor changes:", StringComparison.Ordinal)..]);
        Assert.Contains("W1A32 -> W1A1", table);
        using var chart = SKBitmap.Decode(tiny.PathOf("load", LoadReport.ChartFileName));
        Assert.Equal((1000, 910), (chart.Width, chart.Height));
    }

    private static double Milliseconds(string cell) =>
        double.Parse(cell.Replace(" ms", ""), System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task The_api_predicts_uploaded_images_reports_its_status_and_rejects_what_is_not_an_image()
    {
        using var model = ServedModel.Load(tiny.ModelPath);
        await using var app = ServeApp.Build(model, port: 0);
        await app.StartAsync();
        var address = ServeApp.Address(app);
        Assert.Equal(IPAddress.Loopback.ToString(), address.Host);
        using var http = new HttpClient { BaseAddress = address };
        string image = Directory.EnumerateFiles(tiny.TestImages, "*.png", SearchOption.AllDirectories).First();

        using var body = new ByteArrayContent(File.ReadAllBytes(image));
        var fromBody = await (await http.PostAsync("/predict", body)).Content.ReadFromJsonAsync<PredictResponse>();
        using var form = new MultipartFormDataContent { { new ByteArrayContent(File.ReadAllBytes(image)), "image", "shirt.png" } };
        var fromForm = await (await http.PostAsync("/predict", form)).Content.ReadFromJsonAsync<PredictResponse>();

        Assert.NotNull(fromBody);
        Assert.Equal(10, fromBody.Scores.Length);
        Assert.Equal(1.0, fromBody.Scores.Sum(), 3);
        Assert.Equal(model.SpNet.ClassNames[Array.IndexOf(fromBody.Scores, fromBody.Scores.Max())], fromBody.Label);
        Assert.Equal(fromBody.Scores, fromForm!.Scores);
        Assert.Equal(model.SpNet.Precision.ToString(), fromBody.Switch);
        Assert.True(fromBody.NetworkMilliseconds > 0 && fromBody.NetworkMilliseconds <= fromBody.Milliseconds);

        using var status = JsonDocument.Parse(await http.GetStringAsync("/status"));
        Assert.Equal(model.SpNet.Precision.ToString(), status.RootElement.GetProperty("activeSwitch").GetString());
        Assert.Equal(["W1A1", "W1A32"], status.RootElement.GetProperty("switches").EnumerateArray().Select(s => s.GetProperty("precision").GetString()));
        Assert.Equal(2, status.RootElement.GetProperty("served").GetInt64());

        using var text = new StringContent("not an image");
        var rejected = await http.PostAsync("/predict", text);
        Assert.Equal(HttpStatusCode.BadRequest, rejected.StatusCode);
        Assert.Contains("not an image", await rejected.Content.ReadAsStringAsync());
        using var empty = new ByteArrayContent([]);
        Assert.Contains("holds no image", await (await http.PostAsync("/predict", empty)).Content.ReadAsStringAsync());
        await app.StopAsync();
    }
}
