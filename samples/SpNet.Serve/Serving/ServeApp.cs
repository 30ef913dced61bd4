using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace SpNet.Serve.Serving;

/// <summary>The minimal API: <c>POST /predict</c> and <c>GET /status</c>, on 127.0.0.1 only.</summary>
internal static class ServeApp
{
    /// <summary>Builds the app over <paramref name="model"/>; port 0 picks a free port (see <see cref="Address"/>).</summary>
    public static WebApplication Build(ServedModel model, int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();

        // The image is the request body (any content type) or the first file of a multipart form.
        app.MapPost("/predict", async (HttpRequest request) =>
        {
            byte[] image;
            if (request.ContentType?.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase) == true)
            {
                var form = await request.ReadFormAsync();
                if (form.Files.Count == 0) return Results.BadRequest(new { error = "The form holds no file: upload the image as a form file." });
                using var copy = new MemoryStream();
                await form.Files[0].CopyToAsync(copy);
                image = copy.ToArray();
            }
            else
            {
                using var copy = new MemoryStream();
                await request.Body.CopyToAsync(copy);
                image = copy.ToArray();
            }
            try
            {
                return Results.Json(model.Predict(image));
            }
            catch (InvalidDataException e)
            {
                return Results.BadRequest(new { error = e.Message });
            }
        }).DisableAntiforgery();
        app.MapGet("/status", () => Results.Json(model.Status()));
        return app;
    }

    /// <summary>The address a started app listens on, e.g. <c>http://127.0.0.1:5123</c>.</summary>
    public static Uri Address(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
}
