namespace SpNet.Train.Reporting;

/// <summary>One labelled point of a chart.</summary>
/// <param name="Label">Text drawn beside the point, for example <c>W1A2</c>.</param>
/// <param name="X">Horizontal value (a cost).</param>
/// <param name="Y">Vertical value (an accuracy, in percent).</param>
internal sealed record ChartPoint(string Label, double X, double Y);
