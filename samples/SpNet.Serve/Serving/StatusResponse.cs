namespace SpNet.Serve.Serving;

/// <summary>The JSON answer of <c>GET /status</c>.</summary>
/// <param name="ActiveSwitch">The precision new requests are scored at.</param>
/// <param name="Governor">The governor's description, or null under manual control.</param>
/// <param name="Switches">One entry per trained switch.</param>
/// <param name="Classes">Class names, in score order.</param>
/// <param name="Changes">Every precision change since start, oldest first.</param>
/// <param name="Served">Requests answered since start.</param>
internal sealed record StatusResponse(string ActiveSwitch, string? Governor, IReadOnlyList<SwitchStatus> Switches,
    IReadOnlyList<string> Classes, IReadOnlyList<string> Changes, long Served);

/// <summary>One switch's profile as <c>GET /status</c> shows it.</summary>
internal sealed record SwitchStatus(string Precision, double? Accuracy, long WeightBytes, long? PeakWorkingBytes,
    long TotalMacs, double? LatencyMilliseconds);
