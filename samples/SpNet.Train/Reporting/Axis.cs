using System.Globalization;

namespace SpNet.Train.Reporting;

/// <summary>The range and tick marks of one chart axis, linear or logarithmic (base 10).</summary>
internal sealed class Axis
{
    private readonly double _min, _max;
    private readonly bool _log;

    private Axis(double min, double max, bool log, IReadOnlyList<double> ticks)
    {
        (_min, _max, _log, Ticks) = (min, max, log, ticks);
    }

    /// <summary>Values at which ticks and grid lines are drawn.</summary>
    public IReadOnlyList<double> Ticks { get; }

    /// <summary>An axis covering <paramref name="values"/> with some margin and round tick values.</summary>
    public static Axis Fit(IEnumerable<double> values, bool log)
    {
        var all = values.ToArray();
        double lo = all.Min(), hi = all.Max();
        if (log)
        {
            double a = Math.Log10(lo), b = Math.Log10(hi), logPad = 0.1 * Math.Max(b - a, 0.5);
            double logMin = a - logPad, logMax = b + logPad;
            var logTicks = LogTicks(logMin, logMax);
            return new Axis(logMin, logMax, true, logTicks);
        }
        if (hi - lo < 1e-9) (lo, hi) = (lo - 1, hi + 1);
        double pad = (hi - lo) * 0.15;
        double step = NiceStep((hi - lo + 2 * pad) / 5);
        double min = Math.Floor((lo - pad) / step) * step, max = Math.Ceiling((hi + pad) / step) * step;
        var ticks = new List<double>();
        for (double t = min; t <= max + step / 2; t += step) ticks.Add(Math.Round(t, 10));
        return new Axis(min, max, false, ticks);
    }

    // The coarsest of 1-per-decade, 1-2-5 and 1..9 ticks that gives at least three (or, failing that, two); a range
    // with fewer (all points within a few percent) gets two ticks near its ends, at two significant digits.
    private static List<double> LogTicks(double logMin, double logMax)
    {
        double[][] mantissaSets = [[1], [1, 2, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9]];
        var ticks = new List<double>();
        foreach (double[] mantissas in mantissaSets)
        {
            ticks.Clear();
            for (int e = (int)Math.Floor(logMin); e <= (int)Math.Ceiling(logMax); e++)
                foreach (double m in mantissas)
                {
                    double tick = m * Math.Pow(10, e);
                    if (Math.Log10(tick) >= logMin && Math.Log10(tick) <= logMax) ticks.Add(tick);
                }
            if (ticks.Count >= 3) return ticks;
        }
        if (ticks.Count >= 2) return ticks;
        // Rounded inwards so both stay on the axis.
        double low = Math.Pow(10, logMin + 0.1 * (logMax - logMin)), high = Math.Pow(10, logMax - 0.1 * (logMax - logMin));
        double unit = Math.Pow(10, Math.Floor(Math.Log10(high)) - 1);
        (double roundLow, double roundHigh) = (Math.Ceiling(low / unit) * unit, Math.Floor(high / unit) * unit);
        return roundLow < roundHigh ? [roundLow, roundHigh] : [low, high];
    }

    /// <summary>Where <paramref name="value"/> lies between the axis ends, 0 to 1.</summary>
    public double Fraction(double value) =>
        _log ? (Math.Log10(value) - _min) / (_max - _min) : (value - _min) / (_max - _min);

    /// <summary>A short label for a tick.</summary>
    public string Format(double value)
    {
        if (!_log) return value.ToString("0.##", CultureInfo.InvariantCulture);
        return value switch
        {
            >= 1e9 => (value / 1e9).ToString("0.#", CultureInfo.InvariantCulture) + "G",
            >= 1e6 => (value / 1e6).ToString("0.#", CultureInfo.InvariantCulture) + "M",
            >= 1e3 => (value / 1e3).ToString("0.#", CultureInfo.InvariantCulture) + "k",
            _ => value.ToString("0.###", CultureInfo.InvariantCulture),
        };
    }

    private static double NiceStep(double rough)
    {
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        double normal = rough / magnitude;
        return (normal <= 1 ? 1 : normal <= 2 ? 2 : normal <= 5 ? 5 : 10) * magnitude;
    }
}
