using Microsoft.ML.SwitchablePrecision.OnDemand;
using SpNet.Serve;
using SpNet.Serve.LoadTest;
using SpNet.Serve.Serving;

if (args.Any(a => a is "-h" or "--help" or "-?"))
{
    Console.WriteLine(ServeArguments.Usage);
    return 0;
}
ServeArguments arguments;
try
{
    arguments = ServeArguments.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error: {e.Message}\n{ServeArguments.Usage}");
    return 2;
}

try
{
    if (arguments.LoadTest)
    {
        string table = await LoadTest.RunAsync(arguments.ToLoadTest(), Console.Out);
        Console.WriteLine(table);
        Console.WriteLine($"Wrote {Path.Combine(arguments.Output, LoadReport.ChartFileName)} and {LoadReport.TableFileName}");
        return 0;
    }
    using var model = ServedModel.Load(arguments.ModelPath);
    var measuring = System.Diagnostics.Stopwatch.StartNew();
    var latencies = model.SpNet.MeasureLatency(); // for GET /status; also measured on the first read of Profiles otherwise
    Console.WriteLine($"Measured latency in {measuring.ElapsedMilliseconds} ms: " +
        string.Join(", ", model.SpNet.Switches.Zip(latencies, (s, l) => $"{s} {l.SingleImage.TotalMilliseconds:0.00} ms")));
    model.SpNet.Governor = PrecisionGovernor.ForLatency(arguments.ServingTarget, 0.95);
    model.SpNet.PrecisionChanged += (_, change) => Console.WriteLine(change);
    await using var app = ServeApp.Build(model, arguments.Port);
    await app.StartAsync();
    Console.WriteLine($"Serving {arguments.ModelPath} on {ServeApp.Address(app)} (POST /predict, GET /status); Ctrl+C stops.");
    await app.WaitForShutdownAsync();
    return 0;
}
catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or InvalidDataException or ArgumentException or IOException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
