using Microsoft.ML.SwitchablePrecision.Architectures;

namespace Microsoft.ML.SwitchablePrecision.Training;

/// <summary>Remembers a network's active switch and train/eval mode and restores both at dispose.</summary>
internal readonly struct NetworkStateScope : IDisposable
{
    private readonly SwitchableNetwork _network;
    private readonly int _activeIndex;
    private readonly bool _training;

    public NetworkStateScope(SwitchableNetwork network)
    {
        _network = network;
        _activeIndex = network.Context.ActiveIndex;
        _training = network.training;
    }

    public void Dispose()
    {
        // Setting the mode walks every module; inference calls on an eval-mode network skip it.
        if (_network.training != _training) _network.train(_training);
        _network.Context.ActiveIndex = _activeIndex;
    }
}
