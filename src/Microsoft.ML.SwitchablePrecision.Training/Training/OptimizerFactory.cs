using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Training;

/// <summary>
/// Builds the optimizer with two parameter groups: decayed (weights of 2+ dimensions, without the latent weights of
/// weight-quantizing layers when <see cref="TrainerOptions.DecayQuantizedWeights"/> is false) and not decayed (everything else).
/// </summary>
internal static class OptimizerFactory
{
    public static optim.Optimizer Create(SwitchableNetwork network, TrainerOptions options)
    {
        var exempt = options.DecayQuantizedWeights ? [] : QuantizedWeightNames(network);
        var all = network.named_parameters().ToArray();
        var decayed = all.Where(p => p.parameter.dim() >= 2 && !exempt.Contains(p.name)).Select(p => p.parameter).ToArray();
        var notDecayed = all.Where(p => p.parameter.dim() < 2 || exempt.Contains(p.name)).Select(p => p.parameter).ToArray();
        double lr = options.LearningRate, wd = options.WeightDecay;
        if (options.Optimizer == OptimizerKind.Adam)
        {
            var groups = new List<Adam.ParamGroup>();
            if (decayed.Length > 0) groups.Add(new Adam.ParamGroup(decayed, lr: lr, weight_decay: wd));
            if (notDecayed.Length > 0) groups.Add(new Adam.ParamGroup(notDecayed, lr: lr, weight_decay: 0));
            return optim.Adam(groups, lr: lr);
        }
        var sgdGroups = new List<SGD.ParamGroup>();
        if (decayed.Length > 0)
            sgdGroups.Add(new SGD.ParamGroup(decayed, lr: lr, momentum: options.Momentum, weight_decay: wd, nesterov: options.Nesterov));
        if (notDecayed.Length > 0)
            sgdGroups.Add(new SGD.ParamGroup(notDecayed, lr: lr, momentum: options.Momentum, weight_decay: 0, nesterov: options.Nesterov));
        return optim.SGD(sgdGroups, lr, momentum: options.Momentum, nesterov: options.Nesterov);
    }

    /// <summary>The names of the latent weights of every layer that quantizes its weights.</summary>
    internal static HashSet<string> QuantizedWeightNames(SwitchableNetwork network) =>
        network.named_modules()
            .Where(m => m.module is QuantizedConv2d { QuantizesWeights: true } or QuantizedLinear { QuantizesWeights: true })
            .Select(m => m.name + ".weight")
            .ToHashSet(StringComparer.Ordinal);

    public static void SetLearningRate(optim.Optimizer optimizer, double learningRate)
    {
        foreach (var group in optimizer.ParamGroups) group.LearningRate = learningRate;
    }
}
