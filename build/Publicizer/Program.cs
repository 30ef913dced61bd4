// Usage: Publicizer <output-folder> <assembly.dll>...
// Writes each assembly to the output folder with every type, method and field public. Overridable
// "protected internal" methods become "protected" so that overrides written against the copy keep the
// accessibility the real assembly declares. The copies are compile-time references only: at run time the
// real assemblies load, and IgnoresAccessChecksToAttribute lets the library reach their internals.
using Mono.Cecil;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: Publicizer <output-folder> <assembly.dll>...");
    return 2;
}

var outputFolder = args[0];
Directory.CreateDirectory(outputFolder);
foreach (var input in args.Skip(1))
{
    var resolver = new DefaultAssemblyResolver();
    resolver.AddSearchDirectory(Path.GetDirectoryName(Path.GetFullPath(input))!);
    using var assembly = AssemblyDefinition.ReadAssembly(input,
        new ReaderParameters { ReadingMode = ReadingMode.Deferred, AssemblyResolver = resolver });
    foreach (var type in assembly.MainModule.GetTypes())
        Publicize(type);
    var output = Path.Combine(outputFolder, Path.GetFileName(input));
    assembly.Write(output);
    Console.WriteLine($"Publicizer: {input} -> {output}");
}
return 0;

static void Publicize(TypeDefinition type)
{
    if (type.IsNested) type.IsNestedPublic = true;
    else type.IsPublic = true;

    foreach (var method in type.Methods)
    {
        if (method.IsVirtual && (method.IsFamilyOrAssembly || method.IsFamily)) method.IsFamily = true;
        else method.IsPublic = true;
    }
    foreach (var field in type.Fields)
    {
        // Backing fields of events and auto-properties would clash with their members' names.
        if (type.Events.Any(e => e.Name == field.Name) || type.Properties.Any(p => p.Name == field.Name)) continue;
        field.IsPublic = true;
    }
}
