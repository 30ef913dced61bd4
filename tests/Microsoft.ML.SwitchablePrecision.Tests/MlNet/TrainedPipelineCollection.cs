namespace Microsoft.ML.SwitchablePrecision.Tests.MlNet;

/// <summary>Test classes in this collection share one trained pipeline (training takes most of their time).</summary>
[CollectionDefinition(Name)]
public sealed class TrainedPipelineCollection : ICollectionFixture<TrainedPipelineFixture>
{
    public const string Name = "Trained SP-Net pipeline";
}
