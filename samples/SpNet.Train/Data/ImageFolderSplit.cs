namespace SpNet.Train.Data;

/// <summary>Images found in a folder of class sub-folders, divided into a training and a test part.</summary>
/// <param name="Root">The folder the images were loaded from.</param>
/// <param name="Classes">Class names in ordinal order.</param>
/// <param name="Train">Training rows.</param>
/// <param name="Test">Test rows (never used for training).</param>
/// <param name="IsGrey">True when every image is single-channel grey, so one channel is enough.</param>
internal sealed record ImageFolderSplit(
    string Root, IReadOnlyList<string> Classes, IReadOnlyList<ImageRow> Train, IReadOnlyList<ImageRow> Test, bool IsGrey);
