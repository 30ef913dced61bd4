namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>Helpers for bit strings stored little-endian in 64-bit words (bit <c>i</c> is bit <c>i % 64</c> of word <c>i / 64</c>).</summary>
internal static class BitRows
{
    /// <summary>Words needed for <paramref name="bitCount"/> bits: rows are padded to a whole number of words.</summary>
    public static int WordsFor(int bitCount) => (bitCount + 63) >> 6;

    /// <summary>
    /// ORs the first <paramref name="bitCount"/> bits of <paramref name="source"/> into <paramref name="destination"/>
    /// starting at bit <paramref name="bitOffset"/>. The destination bits must be zero, and the source bits past
    /// <paramref name="bitCount"/> must be zero too (both hold by construction for freshly cleared rows).
    /// </summary>
    public static void Append(Span<ulong> destination, int bitOffset, ReadOnlySpan<ulong> source, int bitCount)
    {
        int sourceWords = WordsFor(bitCount);
        int word = bitOffset >> 6;
        int shift = bitOffset & 63;
        if (shift == 0)
        {
            source[..sourceWords].CopyTo(destination.Slice(word, sourceWords));
            return;
        }
        int lastBitEnd = bitOffset + bitCount;
        for (int i = 0; i < sourceWords; i++, word++)
        {
            ulong value = source[i];
            destination[word] |= value << shift;
            // The high part spills into the next word only if this word's bits reach past it.
            if ((word + 1) << 6 < lastBitEnd)
                destination[word + 1] |= value >> (64 - shift);
        }
    }
}
