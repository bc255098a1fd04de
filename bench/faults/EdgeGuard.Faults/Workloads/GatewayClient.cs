using System.Globalization;
using System.Net.Http.Json;
using System.Net.Sockets;
using EdgeGuard.Faults.Checker.History;
using EdgeGuard.Faults.Deployments;

namespace EdgeGuard.Faults.Workloads;

/// <summary>
/// The workload's HTTP client for one gateway instance: each call is one recorded operation (its status, its
/// <c>X-EdgeGuard-Source</c> and <c>Age</c>, or why no answer came).
/// </summary>
public sealed class GatewayClient(int instance, Uri baseAddress, HistoryRecorder recorder) : IDisposable
{
    /// <summary>Longer than anything a gateway may take to answer (its catalog timeout is 10 s).</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(15);

    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        ConnectTimeout = TimeSpan.FromSeconds(2),
        PooledConnectionLifetime = TimeSpan.FromMinutes(1),
    })
    {
        BaseAddress = baseAddress,
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public int Instance => instance;

    public Task<Operation> ReadAsync(ReadTarget target, string id) =>
        SendAsync(new Operation { Kind = OpKind.Read, Target = target, Id = id, Instance = instance },
            () => new HttpRequestMessage(HttpMethod.Get, $"/products/{Uri.EscapeDataString(id)}"));

    public Task<Operation> CreateAsync(string id) =>
        SendAsync(new Operation { Kind = OpKind.Create, Id = id, Instance = instance },
            () => new HttpRequestMessage(HttpMethod.Post, "/products") { Content = JsonContent.Create(new ProductBody(id, "Fault harness " + id, 9.5m)) });

    public Task<Operation> AnnounceAsync(IReadOnlyList<string> ids) =>
        SendAsync(new Operation { Kind = OpKind.Announce, Ids = ids, Instance = instance }, () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/bloom/ids") { Content = JsonContent.Create(ids) };
            request.Headers.Add("X-Admin-Key", DeploymentSettings.AdminKey);
            return request;
        });

    public void Dispose() => _http.Dispose();

    private async Task<Operation> SendAsync(Operation operation, Func<HttpRequestMessage> request)
    {
        var started = recorder.Now();
        using var timeout = new CancellationTokenSource(RequestTimeout);
        try
        {
            using var message = request();
            using var response = await _http.SendAsync(message, timeout.Token);
            await response.Content.LoadIntoBufferAsync(timeout.Token);
            return recorder.Record(started, operation with
            {
                Status = (int)response.StatusCode,
                Source = response.Headers.TryGetValues("X-EdgeGuard-Source", out var source) ? source.FirstOrDefault() : null,
                Age = response.Headers.Age is { } age ? (long)age.TotalSeconds : null,
            });
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return recorder.Record(started, operation with { Error = $"no answer within {RequestTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s" });
        }
        catch (HttpRequestException e)
        {
            return recorder.Record(started, operation with { Error = Describe(e) });
        }
    }

    private static string Describe(HttpRequestException e) =>
        e.InnerException is SocketException socket ? socket.SocketErrorCode.ToString() :
        e.InnerException is IOException io ? "connection lost: " + io.Message : e.HttpRequestError.ToString();

    internal sealed record ProductBody(string Id, string Name, decimal Price);
}
