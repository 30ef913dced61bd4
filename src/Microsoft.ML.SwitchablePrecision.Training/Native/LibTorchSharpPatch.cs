// One file, two uses: compiled into the library (the first-use fallback in TorchSharpNativeLoader) and, as the
// MSBuild inline task PatchLibTorchSharp, into the build of every project that references the training package
// (Microsoft.ML.SwitchablePrecision.Training.targets, shipped in buildTransitive/). The task compiler targets
// netstandard2.0, so this file uses no API newer than that.
//
// TorchSharp 0.107.0's libLibTorchSharp.so was linked against GCC 13's libstdc++ and records a need for the symbol
// version GLIBCXX_3.4.32. Only one symbol carries it (_ZSt21ios_base_library_initv, a link-time marker with no
// relocation against it, so never called), but glibc refuses to load the library when the system libstdc++
// (Debian 12, Ubuntu 22.04: up to GLIBCXX_3.4.30) lacks the version. Setting VER_FLG_WEAK on that one version-need
// entry turns the hard failure into a tolerated missing version.
#nullable enable
using System;
using System.IO;
using System.Text;
#if !SWITCHABLE_PRECISION_LIBRARY
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
#endif

namespace Microsoft.ML.SwitchablePrecision.Native
{
    /// <summary>What a copy of libLibTorchSharp.so needs before it loads on this system.</summary>
    internal enum LibTorchSharpState
    {
        /// <summary>The library does not ask for the version at all.</summary>
        NoRequirement,
        /// <summary>The library asks for the version as a hard requirement: it fails to load without it.</summary>
        Required,
        /// <summary>The requirement is already weak: the library loads without the version.</summary>
        Weak,
    }

    /// <summary>Reads and edits the version-need table of TorchSharp's native library.</summary>
    internal static class LibTorchSharpPatch
    {
        public const string FileName = "libLibTorchSharp.so";
        public const string MissingVersion = "GLIBCXX_3.4.32";
        private const uint ShtGnuVerneed = 0x6ffffffe;
        private const ushort VerFlgWeak = 0x2;

        private static readonly string[] LibStdCxxLocations =
        {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib/aarch64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
        };

        /// <summary>The system libstdc++ the loader would use, or null when none is at a known place.</summary>
        public static string? FindSystemLibStdCxx()
        {
            foreach (var path in LibStdCxxLocations)
                if (File.Exists(path)) return path;
            return null;
        }

        /// <summary>Whether the system libstdc++ defines <paramref name="version"/> (false when none is found).</summary>
        public static bool SystemLibStdCxxHas(string version)
        {
            var path = FindSystemLibStdCxx();
            return path != null && IndexOf(File.ReadAllBytes(path), Encoding.ASCII.GetBytes(version + "\0")) >= 0;
        }

        /// <summary>The state of the <see cref="MissingVersion"/> requirement in the ELF image <paramref name="elf"/>.</summary>
        /// <exception cref="InvalidDataException">Not a 64-bit little-endian ELF image, or its tables are damaged.</exception>
        public static LibTorchSharpState Inspect(byte[] elf)
        {
            int offset = FindFlagsOffset(elf, MissingVersion);
            if (offset < 0) return LibTorchSharpState.NoRequirement;
            return (BitConverter.ToUInt16(elf, offset) & VerFlgWeak) != 0 ? LibTorchSharpState.Weak : LibTorchSharpState.Required;
        }

        /// <summary>
        /// Marks the <see cref="MissingVersion"/> requirement weak in place; returns false when there was nothing to
        /// change (no requirement, or already weak). Only the two bytes of that entry's flags change.
        /// </summary>
        public static bool MarkWeak(byte[] elf)
        {
            int offset = FindFlagsOffset(elf, MissingVersion);
            if (offset < 0) return false;
            ushort flags = BitConverter.ToUInt16(elf, offset);
            if ((flags & VerFlgWeak) != 0) return false;
            flags |= VerFlgWeak;
            elf[offset] = (byte)flags;
            elf[offset + 1] = (byte)(flags >> 8);
            return true;
        }

        /// <summary>Writes <paramref name="bytes"/> to a temporary file beside <paramref name="path"/>, then renames it over.</summary>
        public static void WriteAtomically(string path, byte[] bytes)
        {
            var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
            try
            {
                File.WriteAllBytes(temp, bytes);
                if (File.Exists(path)) File.Replace(temp, path, destinationBackupFileName: null);
                else File.Move(temp, path);
            }
            finally
            {
                if (File.Exists(temp)) File.Delete(temp);
            }
        }

        // Offset of vna_flags of the vernaux entry named version, or -1. Every offset read from the file is checked.
        private static int FindFlagsOffset(byte[] elf, string version)
        {
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
                throw new InvalidDataException("not an ELF file");
            if (elf[4] != 2 || elf[5] != 1) throw new InvalidDataException("not a 64-bit little-endian ELF file");
            try
            {
                checked
                {
                    int shoff = (int)BitConverter.ToUInt64(elf, 0x28);
                    int shentsize = BitConverter.ToUInt16(elf, 0x3A);
                    int shnum = BitConverter.ToUInt16(elf, 0x3C);
                    for (int i = 0; i < shnum; i++)
                    {
                        int sh = shoff + i * shentsize;
                        if (BitConverter.ToUInt32(elf, sh + 4) != ShtGnuVerneed) continue;
                        int need = (int)BitConverter.ToUInt64(elf, sh + 0x18);
                        int linkedStrtab = (int)BitConverter.ToUInt32(elf, sh + 0x28);
                        int entryCount = (int)BitConverter.ToUInt32(elf, sh + 0x2C);
                        int strtab = (int)BitConverter.ToUInt64(elf, shoff + linkedStrtab * shentsize + 0x18);
                        for (int n = 0; n < entryCount; n++)
                        {
                            int auxCount = BitConverter.ToUInt16(elf, need + 2);
                            int aux = need + (int)BitConverter.ToUInt32(elf, need + 8);
                            for (int a = 0; a < auxCount; a++)
                            {
                                if (ReadCString(elf, strtab + (int)BitConverter.ToUInt32(elf, aux + 8)) == version) return aux + 4;
                                aux += (int)BitConverter.ToUInt32(elf, aux + 12);
                            }
                            need += (int)BitConverter.ToUInt32(elf, need + 12);
                        }
                    }
                    return -1;
                }
            }
            catch (Exception e) when (e is ArgumentException or OverflowException or IndexOutOfRangeException)
            {
                throw new InvalidDataException("damaged ELF section or version tables", e);
            }
        }

        private static string ReadCString(byte[] bytes, int offset)
        {
            int end = Array.IndexOf(bytes, (byte)0, offset);
            if (end < 0) throw new InvalidDataException("unterminated string in the ELF string table");
            return Encoding.ASCII.GetString(bytes, offset, end - offset);
        }

        private static int IndexOf(byte[] haystack, byte[] needle)
        {
            for (int i = 0; i <= haystack.Length - needle.Length; i++)
            {
                int j = 0;
                while (j < needle.Length && haystack[i + j] == needle[j]) j++;
                if (j == needle.Length) return i;
            }
            return -1;
        }
    }
}

#if !SWITCHABLE_PRECISION_LIBRARY
/// <summary>
/// Marks the GLIBCXX_3.4.32 requirement weak in every libLibTorchSharp.so below <see cref="Directory"/>, on Linux
/// only, only when the system libstdc++ lacks the version, and leaves already patched copies alone.
/// </summary>
public sealed class PatchLibTorchSharp : Task
{
    [Required]
    public string Directory { get; set; } = "";

    public override bool Execute()
    {
        if (!System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Linux)
            || !System.IO.Directory.Exists(Directory)) return true;
        var files = System.IO.Directory.GetFiles(Directory, Microsoft.ML.SwitchablePrecision.Native.LibTorchSharpPatch.FileName, SearchOption.AllDirectories);
        if (files.Length == 0) return true;
        if (Microsoft.ML.SwitchablePrecision.Native.LibTorchSharpPatch.SystemLibStdCxxHas(Microsoft.ML.SwitchablePrecision.Native.LibTorchSharpPatch.MissingVersion))
        {
            Log.LogMessage(MessageImportance.Low, "System libstdc++ provides the version TorchSharp asks for; its native library is left as shipped.");
            return true;
        }
        foreach (var file in files)
        {
            try
            {
                var elf = File.ReadAllBytes(file);
                if (!Microsoft.ML.SwitchablePrecision.Native.LibTorchSharpPatch.MarkWeak(elf)) continue;
                Microsoft.ML.SwitchablePrecision.Native.LibTorchSharpPatch.WriteAtomically(file, elf);
                Log.LogMessage(MessageImportance.Normal, $"{file}: marked {Microsoft.ML.SwitchablePrecision.Native.LibTorchSharpPatch.MissingVersion} weak");
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                Log.LogMessage(MessageImportance.High, $"Could not patch {file}: {e.Message}. The library patches a copy in a per-user cache at first use instead.");
            }
        }
        return !Log.HasLoggedErrors;
    }
}
#endif
