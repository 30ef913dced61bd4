using System.Globalization;
using SkiaSharp;

namespace Microsoft.ML.SwitchablePrecision.Experiments.Reporting;

/// <summary>Draws one experiment's accuracy per switch as a PNG: a line per row, error bars of one standard deviation over seeds.</summary>
internal static class PlotWriter
{
    private const int Width = 960, Height = 540;
    private const float Left = 80, Right = 250, Top = 60, Bottom = 70;

    private static readonly SKColor[] Palette =
    [
        new(0x1f, 0x77, 0xb4), new(0xd6, 0x27, 0x28), new(0x2c, 0xa0, 0x2c), new(0xff, 0x7f, 0x0e), new(0x94, 0x67, 0xbd),
        new(0x8c, 0x56, 0x4b), new(0xe3, 0x77, 0xc2), new(0x7f, 0x7f, 0x7f), new(0xbc, 0xbd, 0x22), new(0x17, 0xbe, 0xcf),
    ];

    /// <summary>Writes the plot of <paramref name="table"/> to <paramref name="path"/>; returns false (and writes nothing) when no row has data.</summary>
    public static bool Write(ExperimentTable table, string subtitle, string path)
    {
        var family = table.Experiment.Family;
        var rows = table.Rows.Where(r => r.BySwitch.Values.Any(v => v is not null)).ToList();
        if (rows.Count == 0) return false;

        var stats = rows.SelectMany(r => r.BySwitch.Values).OfType<Stat>().ToList();
        double low = stats.Min(s => s.Mean - s.Std) * 100, high = stats.Max(s => s.Mean + s.Std) * 100;
        double step = TickStep(high - low);
        low = Math.Floor((low - step / 2) / step) * step;
        high = Math.Ceiling((high + step / 2) / step) * step;

        using var surface = SKSurface.Create(new SKImageInfo(Width, Height));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var typeface = SKTypeface.Default;
        using var font = new SKFont(typeface, 15);
        using var titleFont = new SKFont(typeface, 18);
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true, StrokeWidth = 1 };
        using var grid = new SKPaint { Color = new SKColor(0xdd, 0xdd, 0xdd), StrokeWidth = 1 };

        float plotWidth = Width - Left - Right, plotHeight = Height - Top - Bottom;
        float X(int i, int row) => Left + plotWidth * (i + 0.5f) / family.Count + (row - (rows.Count - 1) / 2f) * 6;
        float Y(double percent) => Top + plotHeight * (float)((high - percent) / (high - low));

        FitWidth(titleFont, table.Experiment.Title, Width - Left - 10, minimumSize: 11);
        canvas.DrawText(table.Experiment.Title, Left, 24, titleFont, ink);
        canvas.DrawText(subtitle, Left, 46, font, ink);
        for (double tick = low; tick <= high + 1e-9; tick += step)
        {
            float y = Y(tick);
            canvas.DrawLine(Left, y, Left + plotWidth, y, grid);
            string label = tick.ToString(step < 1 ? "F1" : "F0", CultureInfo.InvariantCulture);
            DrawAligned(canvas, label, Left - 8, y + 5, SKTextAlign.Right, font, ink);
        }
        using (var frame = new SKPaint { Color = SKColors.Black, Style = SKPaintStyle.Stroke, StrokeWidth = 1 })
            canvas.DrawRect(Left, Top, plotWidth, plotHeight, frame);
        for (int i = 0; i < family.Count; i++)
            DrawAligned(canvas, family[i], X(i, (rows.Count - 1) / 2), Top + plotHeight + 22, SKTextAlign.Center, font, ink);
        DrawAligned(canvas, "switch", Left + plotWidth / 2, Height - 18, SKTextAlign.Center, font, ink);
        canvas.Save();
        canvas.RotateDegrees(-90, 22, Top + plotHeight / 2);
        DrawAligned(canvas, "test accuracy (%)", 22, Top + plotHeight / 2, SKTextAlign.Center, font, ink);
        canvas.Restore();

        float legendY = Top + 20;
        for (int r = 0; r < rows.Count; r++)
        {
            using var pen = new SKPaint { Color = Palette[r % Palette.Length], IsAntialias = true, StrokeWidth = 2.5f, Style = SKPaintStyle.Stroke };
            using var dot = new SKPaint { Color = Palette[r % Palette.Length], IsAntialias = true, Style = SKPaintStyle.Fill };
            SKPoint? previous = null;
            for (int i = 0; i < family.Count; i++)
            {
                if (rows[r].BySwitch[family[i]] is not { } s)
                {
                    previous = null;
                    continue;
                }
                var point = new SKPoint(X(i, r), Y(s.Mean * 100));
                if (previous is { } p) canvas.DrawLine(p, point, pen);
                if (s.Count > 1)
                {
                    float top = Y((s.Mean + s.Std) * 100), bottom = Y((s.Mean - s.Std) * 100);
                    canvas.DrawLine(point.X, top, point.X, bottom, pen);
                    canvas.DrawLine(point.X - 5, top, point.X + 5, top, pen);
                    canvas.DrawLine(point.X - 5, bottom, point.X + 5, bottom, pen);
                }
                canvas.DrawCircle(point, 5, dot);
                previous = point;
            }
            canvas.DrawLine(Left + plotWidth + 16, legendY - 5, Left + plotWidth + 46, legendY - 5, pen);
            canvas.DrawCircle(Left + plotWidth + 31, legendY - 5, 5, dot);
            foreach (string line in Wrap(rows[r].Row.Label, Width - (Left + plotWidth + 54) - 6, font))
            {
                canvas.DrawText(line, Left + plotWidth + 54, legendY, font, ink);
                legendY += 18;
            }
            legendY += 8;
        }
        canvas.DrawText("bars: ±1 std over seeds", Left + plotWidth + 16, legendY + 10, font, ink);

        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        string temporary = path + ".tmp-" + Environment.ProcessId;
        using (var file = File.Create(temporary)) png.SaveTo(file);
        File.Move(temporary, path, overwrite: true);
        return true;
    }

    private static void DrawAligned(SKCanvas canvas, string text, float x, float y, SKTextAlign align, SKFont font, SKPaint paint)
    {
        float width = TextWidth(text, font);
        float left = align == SKTextAlign.Right ? x - width : align == SKTextAlign.Center ? x - width / 2 : x;
        canvas.DrawText(text, left, y, font, paint);
    }

    private static float TextWidth(string text, SKFont font)
    {
        using var measure = new SKPaint(font);
        return measure.MeasureText(text);
    }

    // Shrinks the font until the text fits, down to the minimum size.
    private static void FitWidth(SKFont font, string text, float width, float minimumSize)
    {
        while (font.Size > minimumSize && TextWidth(text, font) > width) font.Size -= 0.5f;
    }

    // Breaks the text at spaces into lines no wider than the width (a single longer word keeps its own line).
    private static List<string> Wrap(string text, float width, SKFont font)
    {
        var lines = new List<string>();
        string current = "";
        foreach (string word in text.Split(' '))
        {
            string candidate = current.Length == 0 ? word : current + " " + word;
            if (current.Length > 0 && TextWidth(candidate, font) > width)
            {
                lines.Add(current);
                current = word;
            }
            else current = candidate;
        }
        lines.Add(current);
        return lines;
    }

    private static double TickStep(double span) => span switch
    {
        <= 2 => 0.5,
        <= 5 => 1,
        <= 12 => 2,
        <= 30 => 5,
        _ => 10,
    };
}
