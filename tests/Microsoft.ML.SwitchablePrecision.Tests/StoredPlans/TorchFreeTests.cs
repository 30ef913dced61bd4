using System.Reflection;
using System.Reflection.Emit;
using Microsoft.ML.SwitchablePrecision.Architectures;
using Microsoft.ML.SwitchablePrecision.Inference.Stored;

namespace Microsoft.ML.SwitchablePrecision.Tests.StoredPlans;

/// <summary>
/// The code that describes plans from stored weights (the stored-state reader and source, the plan walks, the
/// architecture layouts) refers to no TorchSharp type: not in a field, a signature, a base type, nor any member its IL
/// calls, reads or creates, compiler-generated closures included. It is what the prediction-only runtime keeps.
/// </summary>
public class TorchFreeTests
{
    private static readonly string[] TorchFreeNamespaces =
    [
        "Microsoft.ML.SwitchablePrecision.Inference.Stored",
        "Microsoft.ML.SwitchablePrecision.Inference.Builders",
        "Microsoft.ML.SwitchablePrecision.Architectures.Layouts",
    ];

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    [Fact]
    public void NoTypeOfTheStoredPlanPathRefersToATorchSharpType()
    {
        var assembly = typeof(StoredNetworkPlans).Assembly;
        var types = assembly.GetTypes().Where(t => TorchFreeNamespaces.Contains(t.Namespace)).ToList();
        Assert.Contains(typeof(StoredTensorTable), types);
        Assert.True(types.Count >= 15, $"only {types.Count} types found");
        var offences = new List<string>();
        int members = 0;
        foreach (var type in types)
        {
            Check(type, type.BaseType, "base type", offences);
            foreach (var face in type.GetInterfaces()) Check(type, face, "interface", offences);
            const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            foreach (var field in type.GetFields(all)) Check(type, field.FieldType, $"field {field.Name}", offences);
            foreach (var method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
            {
                members++;
                if (method is MethodInfo info) Check(type, info.ReturnType, $"{method.Name} returns", offences);
                foreach (var parameter in method.GetParameters()) Check(type, parameter.ParameterType, $"{method.Name}({parameter.Name})", offences);
                foreach (var local in method.GetMethodBody()?.LocalVariables ?? []) Check(type, local.LocalType, $"{method.Name} local", offences);
                foreach (var referenced in ReferencedMembers(method))
                    Check(type, referenced as Type ?? referenced.DeclaringType, $"{method.Name} uses {referenced.Name}", offences);
            }
        }
        Assert.True(members > 50, $"only {members} methods scanned");
        Assert.Empty(offences);
    }

    [Fact]
    public void TheScanFindsTheTorchSharpReferencesOfTheTrainingSide()
    {
        var offences = new List<string>();
        foreach (var method in typeof(global::Microsoft.ML.SwitchablePrecision.Persistence.NetworkState).GetMethods(BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Static))
            foreach (var referenced in ReferencedMembers(method))
                Check(typeof(global::Microsoft.ML.SwitchablePrecision.Persistence.NetworkState), referenced as Type ?? referenced.DeclaringType, method.Name, offences);
        Assert.NotEmpty(offences);
    }

    private static void Check(Type owner, Type? type, string where, List<string> offences)
    {
        if (type is null) return;
        if (type.HasElementType) type = type.GetElementType()!;
        if (type.Assembly.GetName().Name == "TorchSharp") offences.Add($"{owner.FullName}: {where} ({type.FullName})");
        if (type.IsGenericType && !type.IsGenericTypeDefinition)
            foreach (var argument in type.GetGenericArguments()) Check(owner, argument, where, offences);
        if (type.IsSubclassOf(typeof(TorchSharp.torch.nn.Module))) offences.Add($"{owner.FullName}: {where} ({type.FullName} is a module)");
    }

    // Every member or type a method's IL names through a metadata token.
    private static IEnumerable<MemberInfo> ReferencedMembers(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null) yield break;
        var typeArguments = method.DeclaringType?.IsGenericType == true ? method.DeclaringType.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (int i = 0; i < il.Length;)
        {
            short value = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
            i += il[i] == 0xFE ? 2 : 1;
            var code = OpCodesByValue[value];
            switch (code.OperandType)
            {
                case OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok:
                    var member = method.Module.ResolveMember(BitConverter.ToInt32(il, i), typeArguments, methodArguments);
                    if (member is not null) yield return member;
                    i += 4;
                    break;
                case OperandType.InlineSwitch:
                    i += 4 + 4 * BitConverter.ToInt32(il, i);
                    break;
                default:
                    i += code.OperandType switch
                    {
                        OperandType.InlineNone => 0,
                        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                        OperandType.InlineVar => 2,
                        OperandType.InlineI8 or OperandType.InlineR => 8,
                        _ => 4,
                    };
                    break;
            }
        }
    }
}
