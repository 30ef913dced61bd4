// The ASP.NET Core part of the consumer check (.ci/consumer-check): loads model.zip at start-up and serves
// predictions with a PredictionEngine created and disposed per request, as ML.NET's docs do it.
using Microsoft.ML;

var builder = WebApplication.CreateBuilder(args);
var mlContext = new MLContext(seed: 1);
var model = mlContext.Model.LoadChecked(builder.Configuration["Model"] ?? throw new ArgumentException("--Model <model.zip> is required"), out _);
var app = builder.Build();
app.MapGet("/predict", (string path) =>
{
    using var engine = mlContext.Model.CreatePredictionEngine<ImageInput, ImageOutput>(model);
    return engine.Predict(new ImageInput { ImagePath = path }).PredictedClass;
});
app.Run();

public sealed class ImageInput
{
    public string ImagePath { get; set; } = "";
    public string Label { get; set; } = "";
}

public sealed class ImageOutput
{
    public string PredictedClass { get; set; } = "";
}
