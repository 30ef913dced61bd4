namespace SpNet.Train.Data;

/// <summary>Grey images and their labels as stored in an IDX pair: one byte per pixel, row-major, image after image.</summary>
/// <param name="Pixels">Count * Height * Width bytes, 0 = black.</param>
/// <param name="Labels">Class index of each image.</param>
/// <param name="Height">Rows per image.</param>
/// <param name="Width">Columns per image.</param>
internal sealed record IdxGreyImages(byte[] Pixels, byte[] Labels, int Height, int Width)
{
    /// <summary>Number of images.</summary>
    public int Count => Labels.Length;
}
