namespace SpNet.Serve.Serving;

/// <summary>The JSON answer of <c>POST /predict</c>.</summary>
/// <param name="Label">Most probable class.</param>
/// <param name="Confidence">Its probability.</param>
/// <param name="Scores">Probability of each class, in the order of <c>GET /status</c>'s classes.</param>
/// <param name="Switch">The precision the image was scored at.</param>
/// <param name="Milliseconds">Time spent in the pipeline (image decode, resize and pixel extraction, then the network), without HTTP.</param>
/// <param name="NetworkMilliseconds">The network's part of it: the prediction the governor observes and steers.</param>
internal sealed record PredictResponse(string Label, float Confidence, float[] Scores, string Switch, double Milliseconds, double NetworkMilliseconds);
