// MSBuild inline task (compiled by RoslynCodeTaskFactory, see Directory.Build.targets).
//
// TorchSharp 0.107.0's libLibTorchSharp.so was linked against GCC 13's libstdc++ and records a need for
// the symbol version GLIBCXX_3.4.32. Only one symbol carries it (_ZSt21ios_base_library_initv, a link-time
// marker that is never called), but glibc refuses to load the library when the system libstdc++ (Debian 12:
// up to GLIBCXX_3.4.30) lacks the version. Setting VER_FLG_WEAK on that one version-need entry turns the
// hard failure into a tolerated missing version. The task does this to every copy in an output folder,
// only on Linux, only when the system libstdc++ lacks the version, and only once per file.
using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public sealed class PatchLibTorchSharp : Task
{
    private const string FileName = "libLibTorchSharp.so";
    private const string MissingVersion = "GLIBCXX_3.4.32";
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlgWeak = 0x2;

    [Required]
    public string Directory { get; set; } = "";

    public override bool Execute()
    {
        if (!System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Linux)
            || !System.IO.Directory.Exists(Directory)) return true;
        var files = System.IO.Directory.GetFiles(Directory, FileName, SearchOption.AllDirectories);
        if (files.Length == 0) return true;
        if (SystemLibStdCxxHas(MissingVersion))
        {
            Log.LogMessage(MessageImportance.Low, $"System libstdc++ provides {MissingVersion}; {FileName} left as shipped.");
            return true;
        }
        foreach (var file in files)
        {
            try
            {
                var result = MarkVersionNeedWeak(file, MissingVersion);
                Log.LogMessage(MessageImportance.Normal, $"{file}: {result}");
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                Log.LogWarning($"Could not patch {file}: {e.Message}");
            }
        }
        return !Log.HasLoggedErrors;
    }

    private static bool SystemLibStdCxxHas(string version)
    {
        string[] candidates =
        {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib/aarch64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
        };
        var needle = Encoding.ASCII.GetBytes(version + "\0");
        foreach (var path in candidates)
        {
            if (!File.Exists(path)) continue;
            return Contains(File.ReadAllBytes(path), needle);
        }
        return false;
    }

    /// <summary>Sets VER_FLG_WEAK on the vernaux entry named <paramref name="version"/>; returns what was done.</summary>
    private static string MarkVersionNeedWeak(string path, string version)
    {
        var elf = File.ReadAllBytes(path);
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1) throw new InvalidDataException("not a 64-bit little-endian ELF file");

        ulong shoff = BitConverter.ToUInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3A);
        int shnum = BitConverter.ToUInt16(elf, 0x3C);
        for (int i = 0; i < shnum; i++)
        {
            int sh = checked((int)shoff + i * shentsize);
            if (BitConverter.ToUInt32(elf, sh + 4) != ShtGnuVerneed) continue;
            int verneedOffset = checked((int)BitConverter.ToUInt64(elf, sh + 0x18));
            int linkedStrtab = (int)BitConverter.ToUInt32(elf, sh + 0x28);
            int entryCount = (int)BitConverter.ToUInt32(elf, sh + 0x2C);
            int strtab = checked((int)BitConverter.ToUInt64(elf, checked((int)shoff + linkedStrtab * shentsize) + 0x18));

            int need = verneedOffset;
            for (int n = 0; n < entryCount; n++)
            {
                int auxCount = BitConverter.ToUInt16(elf, need + 2);
                int aux = need + (int)BitConverter.ToUInt32(elf, need + 8);
                for (int a = 0; a < auxCount; a++)
                {
                    int nameOffset = strtab + (int)BitConverter.ToUInt32(elf, aux + 8);
                    if (ReadCString(elf, nameOffset) == version)
                    {
                        ushort flags = BitConverter.ToUInt16(elf, aux + 4);
                        if ((flags & VerFlgWeak) != 0) return $"{version} already weak";
                        WriteFlagsAtomically(path, elf, aux + 4, (ushort)(flags | VerFlgWeak));
                        return $"marked {version} weak";
                    }
                    aux += (int)BitConverter.ToUInt32(elf, aux + 12);
                }
                need += (int)BitConverter.ToUInt32(elf, need + 12);
            }
        }
        return $"no {version} requirement";
    }

    private static void WriteFlagsAtomically(string path, byte[] elf, int offset, ushort flags)
    {
        elf[offset] = (byte)flags;
        elf[offset + 1] = (byte)(flags >> 8);
        var temp = path + ".patching";
        File.WriteAllBytes(temp, elf);
        File.Replace(temp, path, destinationBackupFileName: null);
    }

    // The task is compiled against netstandard2.0, so no Span search is available.
    private static bool Contains(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i <= haystack.Length - needle.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && haystack[i + j] == needle[j]) j++;
            if (j == needle.Length) return true;
        }
        return false;
    }

    private static string ReadCString(byte[] bytes, int offset)
    {
        int end = Array.IndexOf(bytes, (byte)0, offset);
        return Encoding.ASCII.GetString(bytes, offset, end - offset);
    }
}
