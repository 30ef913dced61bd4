using Microsoft.ML.Data;

namespace Microsoft.ML.SwitchablePrecision;

/// <summary>Row-level helpers shared by the batched cursor and the single-row mapper.</summary>
internal static class Scoring
{
    /// <summary>Replaces non-finite pixels by 0 so the batch can run; returns false when the row had any.</summary>
    public static bool SanitizeRow(Span<float> pixels)
    {
        bool valid = true;
        for (int i = 0; i < pixels.Length; i++)
        {
            if (!float.IsFinite(pixels[i]))
            {
                pixels[i] = 0;
                valid = false;
            }
        }
        return valid;
    }

    /// <summary>Writes one row's class probabilities into <paramref name="value"/>, or NaN for a row that could not be scored.</summary>
    public static void WriteScore(ref VBuffer<float> value, ReadOnlySpan<float> probabilities, bool valid)
    {
        var editor = VBufferEditor.Create(ref value, probabilities.Length);
        if (valid) probabilities.CopyTo(editor.Values);
        else editor.Values.Fill(float.NaN);
        value = editor.Commit();
    }

    /// <summary>The key (class index + 1) of the most probable class.</summary>
    public static uint ArgMaxKey(ReadOnlySpan<float> probabilities)
    {
        int best = 0;
        for (int i = 1; i < probabilities.Length; i++)
            if (probabilities[i] > probabilities[best]) best = i;
        return (uint)best + 1;
    }
}
