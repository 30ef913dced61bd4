using System.Globalization;
using SkiaSharp;

namespace SpNet.Train.Reporting;

/// <summary>
/// Draws the accuracy/cost trade-off of the switches as a PNG: one labelled point per switch, joined in cost order.
/// Drawn with SkiaSharp 2.88 directly because the plotting libraries served here need SkiaSharp 3, which clashes
/// at run time with the SkiaSharp 2.88 that ML.NET's ImageAnalytics loads.
/// </summary>
internal static class TradeoffChart
{
    private const int Width = 900, Height = 560;
    private const float Left = 90, Right = 40, Top = 60, Bottom = 80;

    /// <summary>Writes the chart to <paramref name="path"/>; a logarithmic x axis needs positive x values.</summary>
    public static void Write(string path, string title, string xTitle, string yTitle, IReadOnlyList<ChartPoint> points, bool logX)
    {
        ArgumentOutOfRangeException.ThrowIfZero(points.Count);
        if (logX && points.Any(p => p.X <= 0))
            throw new ArgumentException("A logarithmic x axis needs positive x values.", nameof(points));

        var xs = Axis.Fit(points.Select(p => p.X), logX);
        var ys = Axis.Fit(points.Select(p => p.Y), log: false);
        float plotW = Width - Left - Right, plotH = Height - Top - Bottom;
        float Px(double x) => Left + (float)(xs.Fraction(x) * plotW);
        float Py(double y) => Top + plotH - (float)(ys.Fraction(y) * plotH);

        using var surface = SKSurface.Create(new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Premul));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var typeface = SKTypeface.FromFamilyName("DejaVu Sans") ?? SKTypeface.Default;
        using var text = new SKPaint { Color = SKColors.Black, IsAntialias = true, TextSize = 15, Typeface = typeface };
        using var small = new SKPaint { Color = new SKColor(60, 60, 60), IsAntialias = true, TextSize = 13, Typeface = typeface };
        using var grid = new SKPaint { Color = new SKColor(225, 225, 225), StrokeWidth = 1, IsAntialias = true };
        using var axis = new SKPaint { Color = SKColors.Black, StrokeWidth = 1.5f, IsAntialias = true };
        using var line = new SKPaint { Color = new SKColor(31, 119, 180), StrokeWidth = 2, IsAntialias = true, Style = SKPaintStyle.Stroke };
        using var dot = new SKPaint { Color = new SKColor(31, 119, 180), IsAntialias = true };

        foreach (double tick in xs.Ticks)
        {
            float x = Px(tick);
            canvas.DrawLine(x, Top, x, Top + plotH, grid);
            DrawCentred(canvas, xs.Format(tick), x, Top + plotH + 20, small);
        }
        foreach (double tick in ys.Ticks)
        {
            float y = Py(tick);
            canvas.DrawLine(Left, y, Left + plotW, y, grid);
            string label = ys.Format(tick);
            canvas.DrawText(label, Left - 8 - small.MeasureText(label), y + 4, small);
        }
        canvas.DrawLine(Left, Top + plotH, Left + plotW, Top + plotH, axis);
        canvas.DrawLine(Left, Top, Left, Top + plotH, axis);

        var ordered = points.OrderBy(p => p.X).ToArray();
        using (var pathLine = new SKPath())
        {
            pathLine.MoveTo(Px(ordered[0].X), Py(ordered[0].Y));
            foreach (var p in ordered.Skip(1)) pathLine.LineTo(Px(p.X), Py(p.Y));
            canvas.DrawPath(pathLine, line);
        }
        foreach (var p in ordered)
        {
            float x = Px(p.X), y = Py(p.Y);
            canvas.DrawCircle(x, y, 6, dot);
            string label = $"{p.Label} ({p.Y.ToString("0.0", CultureInfo.InvariantCulture)})";
            float w = text.MeasureText(label);
            float lx = x + 10 + w > Left + plotW ? x - 10 - w : x + 10;
            canvas.DrawText(label, lx, y - 10, text);
        }

        using var titlePaint = new SKPaint { Color = SKColors.Black, IsAntialias = true, TextSize = 19, Typeface = typeface, FakeBoldText = true };
        DrawCentred(canvas, title, Width / 2f, 34, titlePaint);
        DrawCentred(canvas, xTitle, Left + plotW / 2, Height - 24, text);
        canvas.Save();
        canvas.RotateDegrees(-90, 24, Top + plotH / 2);
        DrawCentred(canvas, yTitle, 24, Top + plotH / 2, text);
        canvas.Restore();

        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        using var file = File.Create(path);
        data.SaveTo(file);
    }

    private static void DrawCentred(SKCanvas canvas, string value, float x, float y, SKPaint paint) =>
        canvas.DrawText(value, x - paint.MeasureText(value) / 2, y, paint);
}
