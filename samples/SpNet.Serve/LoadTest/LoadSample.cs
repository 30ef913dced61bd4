namespace SpNet.Serve.LoadTest;

/// <summary>One answered request of a load test.</summary>
/// <param name="Second">When it finished, in seconds since the test started.</param>
/// <param name="HttpMilliseconds">Round trip seen by the client.</param>
/// <param name="PipelineMilliseconds">Time inside the pipeline (image decode and the network), as the server reported it.</param>
/// <param name="NetworkMilliseconds">The network's prediction alone, as the server reported it: what the governor observes.</param>
/// <param name="Switch">The precision it was scored at.</param>
/// <param name="Label">The predicted class.</param>
/// <param name="TrueLabel">The class of the image sent.</param>
internal sealed record LoadSample(double Second, double HttpMilliseconds, double PipelineMilliseconds, double NetworkMilliseconds,
    string Switch, string Label, string TrueLabel);
