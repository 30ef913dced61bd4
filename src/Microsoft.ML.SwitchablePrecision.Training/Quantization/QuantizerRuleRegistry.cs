using Microsoft.ML.SwitchablePrecision.Quantization.Rules;

namespace Microsoft.ML.SwitchablePrecision.Quantization;

/// <summary>The TorchSharp rules of every quantizer family, one line each (the runtime's <see cref="QuantizerRegistry"/> lists their integer forms).</summary>
internal static class QuantizerRuleRegistry
{
    private static readonly QuantizerRules[] Rules =
    [
        new DoReFaRules(),
        new PactRules(),
        new LsqRules(),
    ];

    /// <summary>The rules of <paramref name="kind"/>.</summary>
    /// <exception cref="ArgumentException">No family is registered for <paramref name="kind"/>; the message names it and the registered ones.</exception>
    public static QuantizerRules Get(QuantizerKind kind, string parameter = "kind") =>
        Array.Find(Rules, r => r.Kind == kind) ?? throw new ArgumentException(QuantizerRegistry.UnknownMessage(kind), parameter);
}
