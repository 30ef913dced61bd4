using Microsoft.ML.Data;

namespace Microsoft.ML.SwitchablePrecision;

/// <summary>Row-level helpers shared by the batched cursor, the single-row mapper and the training reader.</summary>
internal static class Scoring
{
    /// <summary>
    /// Copies one feature row into <paramref name="destination"/>, which holds exactly C*H*W values. A row of any
    /// other length (a null or empty array reads as length 0) is rejected, so it can never be mixed with the pixels
    /// an earlier row left in the buffer. Non-finite values become 0 so the batch can run; the return value is false
    /// when the row had any, and the caller then treats the row as missing.
    /// </summary>
    /// <exception cref="InvalidOperationException">The row does not hold exactly <c>destination.Length</c> values.</exception>
    public static bool ReadRow(in VBuffer<float> row, Span<float> destination, string column, long position, ImageGeometry geometry)
    {
        if (row.Length != destination.Length)
            throw new InvalidOperationException(
                $"Feature column '{column}' of row {position} holds {row.Length} values; expected exactly {destination.Length} " +
                $"(C*H*W of the model's {geometry} images). A null or empty array holds 0 values.");
        row.CopyTo(destination);
        return SanitizeRow(destination);
    }

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

    /// <summary>
    /// Whether a row's class probabilities can be reported: extreme finite pixels (such as <c>float.MaxValue</c>)
    /// can overflow inside the network, and a row with any non-finite probability is reported as missing.
    /// </summary>
    public static bool AllFinite(ReadOnlySpan<float> probabilities)
    {
        foreach (var p in probabilities)
            if (!float.IsFinite(p)) return false;
        return true;
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
