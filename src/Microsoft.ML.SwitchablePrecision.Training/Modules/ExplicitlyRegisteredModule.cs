using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.SwitchablePrecision.Modules;

/// <summary>
/// A module that registers each of its submodules, parameters and buffers itself, with <c>register_module</c>,
/// <c>register_parameter</c> or <c>register_buffer</c>, under the name it is saved with. Networks, blocks and
/// switchable layers derive from it, so their saved parameter and buffer names are exactly the registered ones.
/// </summary>
public abstract class ExplicitlyRegisteredModule : nn.Module<Tensor, Tensor>
{
    /// <summary>Creates the module; the derived constructor registers its components.</summary>
    protected ExplicitlyRegisteredModule(string name) : base(name) { }

    /// <summary>
    /// Does nothing: every component is registered explicitly under its stored name. TorchSharp's default registers the
    /// fields again by reflection when the module is registered in a parent, under names derived from the field names
    /// (<c>_shortcutBn</c> next to <c>shortcut_bn</c>), so without this override state_dict would list tensors twice and
    /// saved models would carry duplicated state.
    /// </summary>
    protected sealed override void RegisterComponents() { }
}
