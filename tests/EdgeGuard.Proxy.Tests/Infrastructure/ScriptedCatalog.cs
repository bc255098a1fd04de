using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace EdgeGuard.Proxy.Tests.Infrastructure;

/// <summary>
/// A catalog over real HTTP (Kestrel on a loopback port) whose product set the test changes at will (products created
/// behind the gateway's back), and whose id list (<c>GET /products/ids</c>, what the gateway builds its filter from)
/// can be held at a gate: a rebuild from it cannot end until the test opens the gate. Answers <c>/health</c> and
/// <c>GET /products/{id}</c> (200 JSON, or 404 problem+json) as the catalog does.
/// </summary>
public sealed class ScriptedCatalog : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, byte> _ids = new(StringComparer.Ordinal);
    private readonly WebApplication _app;
    private volatile TaskCompletionSource _gate = Opened();
    private volatile TaskCompletionSource _productGate = Opened();
    private readonly TaskCompletionSource _productHeld = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _idListReads;
    private int _productReads;

    private ScriptedCatalog(WebApplication app) => _app = app;

    public string Url { get; private set; } = "";

    /// <summary>How many times the id list was asked for (each rebuild reads it once).</summary>
    public int IdListReads => Volatile.Read(ref _idListReads);

    /// <summary>How many product reads (<c>GET /products/{id}</c>) reached the catalog.</summary>
    public int ProductReads => Volatile.Read(ref _productReads);

    /// <summary>Completes when a product read arrives while <see cref="HoldProductReads"/> holds them.</summary>
    public Task ProductReadHeld => _productHeld.Task;

    public static async Task<ScriptedCatalog> StartAsync(IEnumerable<string> ids)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var catalog = new ScriptedCatalog(app);
        catalog.Add(ids);
        app.MapGet("/health", () => Results.Text("Healthy"));
        app.MapGet("/products/ids", catalog.WriteIdsAsync);
        app.MapGet("/products/{id}", catalog.ReadProductAsync);
        await app.StartAsync();
        catalog.Url = app.Urls.First();
        return catalog;
    }

    /// <summary>Products created on the catalog itself (the gateway is not told).</summary>
    public void Add(IEnumerable<string> ids)
    {
        foreach (var id in ids)
        {
            _ids[id] = 0;
        }
    }

    /// <summary>From now on the id list answers only once <see cref="OpenIdList"/> is called.</summary>
    public void HoldIdList() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void OpenIdList() => _gate.TrySetResult();

    /// <summary>From now on product reads wait, once arrived (<see cref="ProductReadHeld"/>), until <see cref="OpenProductReads"/>.</summary>
    public void HoldProductReads() => _productGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void OpenProductReads() => _productGate.TrySetResult();

    public async ValueTask DisposeAsync()
    {
        OpenIdList();
        OpenProductReads();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task<IResult> ReadProductAsync(string id, HttpContext context)
    {
        Interlocked.Increment(ref _productReads);
        var gate = _productGate;
        if (!gate.Task.IsCompleted)
        {
            _productHeld.TrySetResult();
            await gate.Task.WaitAsync(context.RequestAborted);
        }

        return _ids.ContainsKey(id)
            ? Results.Json(new { id, name = "Product " + id, price = 12.5 })
            : Results.Problem(statusCode: 404, title: "Not Found");
    }

    private async Task WriteIdsAsync(HttpContext context)
    {
        Interlocked.Increment(ref _idListReads);
        await _gate.Task.WaitAsync(context.RequestAborted);
        context.Response.ContentType = "text/plain";
        foreach (var id in _ids.Keys)
        {
            await context.Response.WriteAsync(id + "\n", context.RequestAborted);
        }
    }

    private static TaskCompletionSource Opened()
    {
        var opened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        opened.SetResult();
        return opened;
    }
}
