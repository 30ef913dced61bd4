// The README's pipeline example, compiled here so it cannot rot; ReadmeExampleTests checks that the README
// shows exactly the lines between the markers.
using Microsoft.ML;
using Microsoft.ML.SwitchablePrecision;
using Microsoft.ML.Transforms.Image;

namespace Microsoft.ML.SwitchablePrecision.Tests.MlNet;

internal static class ReadmeExample
{
    public static void Run(IDataView trainData, IDataView testData)
    {
        // README-BEGIN
        var mlContext = new MLContext(seed: 1);
        var pipeline = mlContext.Transforms.Conversion.MapValueToKey("Label")
            .Append(mlContext.Transforms.LoadImages("Image", imageFolder: "", inputColumnName: "ImagePath"))
            .Append(mlContext.Transforms.ResizeImages("Image", imageWidth: 28, imageHeight: 28))
            .Append(mlContext.Transforms.ExtractPixels("Features", "Image",
                colorsToExtract: ImagePixelExtractingEstimator.ColorBits.Red))
            .Append(mlContext.Transforms.SpNet(new SpNetOptions
            {
                Switches = [Precision.Parse("W1A1"), Precision.Parse("W1A2"), Precision.Parse("W1A4"), Precision.Parse("W1A32")],
                Epochs = 10,
            }))
            .Append(mlContext.Transforms.Conversion.MapKeyToValue("PredictedClass", "PredictedLabel"));

        var model = pipeline.Fit(trainData);

        // One model, every precision: evaluate each switch with ML.NET's metrics.
        foreach (var result in mlContext.MulticlassClassification.EvaluateSwitches(model, testData))
            Console.WriteLine($"{result.Precision}: accuracy {result.Metrics.MicroAccuracy:P1}");

        // Switch on the fly: later Transform cursors and predictions run at the new precision.
        var spNet = SpNetCatalog.FindSpNet(model)!;
        spNet.Precision = Precision.Parse("W1A1");
        Console.WriteLine(spNet.GetPrecisionReport().ToTable());

        // Write a temporary file beside model.zip, flush it, rename it over: a crash never destroys the old model.
        mlContext.Model.SaveAtomically(model, trainData.Schema, "model.zip");
        // README-END
    }
}
