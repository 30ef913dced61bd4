using SkiaSharp;
using SpNet.Train.Reporting;

namespace SpNet.Serve.LoadTest;

/// <summary>
/// The load-test PNG, three panels over time: the p95 network time of each second for every run with the target as a
/// dashed line (what the governor steers); the p95 round trip of each second (what a client sees, target not applicable);
/// the governor's active switch. Drawn with SkiaSharp 2.88 (see the project file for why not ScottPlot).
/// </summary>
internal static class LoadChart
{
    private const int Width = 1000, Height = 910;
    private const float Left = 90, Right = 40, Top = 60, Gap = 70, Bottom = 60, PanelHeight = 250, LowerHeight = 150;
    private static readonly SKColor[] Colours = [new(31, 119, 180), new(214, 39, 40), new(44, 160, 44)];

    /// <summary>Writes the chart of <paramref name="runs"/> (the first one governed) to <paramref name="path"/>.</summary>
    public static void Write(string path, IReadOnlyList<LoadRunResult> runs, IReadOnlyList<string> switchesLowToHigh, double targetMs, double seconds)
    {
        var xs = Axis.Fit([0, seconds], log: false);
        float plotW = Width - Left - Right;
        float Px(double x) => Left + (float)(xs.Fraction(x) * plotW);
        float middleTop = Top + PanelHeight + Gap, lowerTop = middleTop + PanelHeight + Gap;
        float Sy(int level) => lowerTop + LowerHeight - (switchesLowToHigh.Count == 1 ? 0.5f : level / (float)(switchesLowToHigh.Count - 1)) * LowerHeight;

        using var surface = SKSurface.Create(new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Premul));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var typeface = SKTypeface.FromFamilyName("DejaVu Sans") ?? SKTypeface.Default;
        using var text = new SKPaint { Color = SKColors.Black, IsAntialias = true, TextSize = 14, Typeface = typeface };
        using var small = new SKPaint { Color = new SKColor(60, 60, 60), IsAntialias = true, TextSize = 12, Typeface = typeface };
        using var grid = new SKPaint { Color = new SKColor(225, 225, 225), StrokeWidth = 1 };
        using var axis = new SKPaint { Color = SKColors.Black, StrokeWidth = 1.5f };

        void TimePanel(float top, Func<LoadSample, double> time, double? target, string title)
        {
            var perSecond = runs.Select(r => r.P95PerSecond(time)).ToArray();
            var values = perSecond.SelectMany(p => p.Select(s => s.P95)).Append(0);
            var ys = Axis.Fit(target is { } t ? values.Append(t) : values, log: false);
            float Py(double y) => top + PanelHeight - (float)(ys.Fraction(y) * PanelHeight);
            foreach (double tick in ys.Ticks)
            {
                canvas.DrawLine(Left, Py(tick), Left + plotW, Py(tick), grid);
                string label = ys.Format(tick);
                canvas.DrawText(label, Left - 8 - small.MeasureText(label), Py(tick) + 4, small);
            }
            XGrid(top, PanelHeight);
            if (target is { } goal)
            {
                using var dashed = new SKPaint { Color = SKColors.Gray, StrokeWidth = 1.5f, PathEffect = SKPathEffect.CreateDash([8, 6], 0) };
                canvas.DrawLine(Left, Py(goal), Left + plotW, Py(goal), dashed);
                canvas.DrawText($"target {goal:0.##} ms", Left + plotW - 110, Py(goal) - 6, small);
            }
            for (int r = 0; r < runs.Count; r++)
            {
                using var line = new SKPaint { Color = Colours[r % Colours.Length], StrokeWidth = 2, IsAntialias = true, Style = SKPaintStyle.Stroke };
                using var pathLine = new SKPath();
                foreach (var (second, p95) in perSecond[r])
                {
                    if (pathLine.IsEmpty) pathLine.MoveTo(Px(second + 0.5), Py(p95));
                    else pathLine.LineTo(Px(second + 0.5), Py(p95));
                }
                canvas.DrawPath(pathLine, line);
                using var legend = new SKPaint { Color = line.Color, IsAntialias = true, TextSize = 14, Typeface = typeface };
                canvas.DrawText(runs[r].Name == "governor" ? "with the governor" : $"fixed at {runs[r].Name}", Left + 12, top + 18 + 18 * r, legend);
            }
            DrawCentred(canvas, title, Width / 2f, top - 14, text);
        }

        void XGrid(float top, float height)
        {
            foreach (double tick in xs.Ticks.Where(t => t >= 0 && t <= seconds))
            {
                canvas.DrawLine(Px(tick), top, Px(tick), top + height, grid);
                DrawCentred(canvas, xs.Format(tick), Px(tick), top + height + 20, small);
            }
            canvas.DrawLine(Left, top, Left, top + height, axis);
            canvas.DrawLine(Left, top + height, Left + plotW, top + height, axis);
        }

        TimePanel(Top, s => s.NetworkMilliseconds, targetMs, "p95 network time per second (ms): the prediction the governor steers");
        TimePanel(middleTop, s => s.HttpMilliseconds, null, "p95 round trip per second (ms): decode, HTTP and queueing included, which no switch makes cheaper");

        for (int level = 0; level < switchesLowToHigh.Count; level++)
        {
            canvas.DrawLine(Left, Sy(level), Left + plotW, Sy(level), grid);
            canvas.DrawText(switchesLowToHigh[level], Left - 8 - small.MeasureText(switchesLowToHigh[level]), Sy(level) + 4, small);
        }
        XGrid(lowerTop, LowerHeight);
        using (var step = new SKPaint { Color = Colours[0], StrokeWidth = 2.5f, IsAntialias = true, Style = SKPaintStyle.Stroke })
        using (var stepPath = new SKPath())
        {
            foreach (var (second, name) in runs[0].ActiveSwitch)
            {
                float y = Sy(Math.Max(0, IndexOf(switchesLowToHigh, name)));
                if (stepPath.IsEmpty) stepPath.MoveTo(Px(second), y);
                else
                {
                    stepPath.LineTo(Px(second), stepPath.LastPoint.Y);
                    stepPath.LineTo(Px(second), y);
                }
            }
            canvas.DrawPath(stepPath, step);
        }

        using var bold = new SKPaint { Color = SKColors.Black, IsAntialias = true, TextSize = 18, Typeface = typeface, FakeBoldText = true };
        DrawCentred(canvas, "Load test: clients ramping 1 -> peak -> 1", Width / 2f, 24, bold);
        DrawCentred(canvas, "Active switch under the governor", Width / 2f, lowerTop - 14, text);
        DrawCentred(canvas, "seconds", Left + plotW / 2, Height - 16, text);

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        using var file = File.Create(path);
        data.SaveTo(file);
    }

    private static int IndexOf(IReadOnlyList<string> list, string value)
    {
        for (int i = 0; i < list.Count; i++) if (list[i] == value) return i;
        return -1;
    }

    private static void DrawCentred(SKCanvas canvas, string value, float x, float y, SKPaint paint) =>
        canvas.DrawText(value, x - paint.MeasureText(value) / 2, y, paint);
}
