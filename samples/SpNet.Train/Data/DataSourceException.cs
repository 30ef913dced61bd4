namespace SpNet.Train.Data;

/// <summary>
/// The data the user pointed at cannot be used (missing folder, no images, a file that is not an image...).
/// The message names the offending path and says what was expected; the command line prints it without a stack trace.
/// </summary>
internal sealed class DataSourceException(string message, Exception? inner = null) : Exception(message, inner);
