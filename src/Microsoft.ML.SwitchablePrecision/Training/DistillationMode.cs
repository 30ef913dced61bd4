namespace Microsoft.ML.SwitchablePrecision;

/// <summary>How the quantized switches of a network learn during joint training (see docs/training.md).</summary>
public enum DistillationMode
{
    /// <summary>Every switch learns from the hard labels only.</summary>
    Off,

    /// <summary>Every switch except the teacher learns from the teacher's detached soft output (the teacher is the highest-precision switch).</summary>
    FromTeacher,

    /// <summary>Each switch learns from the detached soft output of the next-higher switch (any-precision style).</summary>
    Recursive,
}
