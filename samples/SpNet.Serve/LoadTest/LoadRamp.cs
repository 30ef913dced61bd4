namespace SpNet.Serve.LoadTest;

/// <summary>How many clients send requests at a moment of the load test: 1 up to the peak by the middle, back to 1 at the end.</summary>
internal static class LoadRamp
{
    /// <summary>Concurrent clients at <paramref name="elapsed"/> of a test lasting <paramref name="duration"/>.</summary>
    public static int ClientsAt(TimeSpan elapsed, TimeSpan duration, int peak)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(peak, 1);
        double half = duration.TotalSeconds / 2, t = Math.Clamp(elapsed.TotalSeconds, 0, duration.TotalSeconds);
        double rise = t <= half ? t / half : (duration.TotalSeconds - t) / half;
        return 1 + (int)Math.Round(rise * (peak - 1), MidpointRounding.AwayFromZero);
    }
}
