using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Microsoft.ML.SwitchablePrecision.Kernels;

/// <summary>
/// A packed weight panel whose first element sits on a 64-byte boundary, so that no 512-bit load of the vector
/// kernels splits a cache line (split loads halved the AVX-512 float GEMM's rate). The array lives on the pinned
/// object heap, so the garbage collector never moves it off the boundary.
/// </summary>
internal sealed class AlignedPanel<T> where T : unmanaged
{
    private const int Alignment = 64;
    private readonly T[] _storage;
    private readonly int _start;

    public unsafe AlignedPanel(long length)
    {
        int padding = Alignment / Unsafe.SizeOf<T>();
        _storage = GC.AllocateArray<T>(checked((int)length + padding), pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_storage));
        _start = (int)((Alignment - address % Alignment) % Alignment) / Unsafe.SizeOf<T>();
        Length = (int)length;
    }

    /// <summary>Elements in the panel.</summary>
    public int Length { get; }

    /// <summary>The panel's elements.</summary>
    public Span<T> Span => _storage.AsSpan(_start, Length);
}
