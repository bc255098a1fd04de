using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Json;
using EdgeGuard.Faults.Checker.History;
using EdgeGuard.Faults.Deployments;

namespace EdgeGuard.Faults.Workloads;

/// <summary>
/// The workload, on every gateway at once, until stopped:
/// <list type="bullet">
/// <item>writers (two per gateway): creates of new ids, each read right after its 2xx through every instance;</item>
/// <item>readers (one per gateway, a tick every 50 ms, not waiting for earlier answers): a missing id (new each time),
/// an existing id (of a hot set, so that its entry goes stale during a catalog fault), an id created or announced
/// earlier;</item>
/// <item>an announcer: every 2 s an id inserted into the catalog directly (behind the gateways' back), then
/// <c>POST /bloom/ids</c> through the gateways in turn (a refused one sent again through the next, up to five times).</item>
/// </list>
/// Every request is recorded; the ids acknowledged so far are read again by the readers.
/// </summary>
public sealed class Workload : IDisposable
{
    private const int WritersPerGateway = 2;
    private const int HotIds = 200;
    private const int MaxReadsInFlight = 48;
    private static readonly TimeSpan ReadTick = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan WriterPace = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan AnnouncePace = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan AnnounceRetryPause = TimeSpan.FromMilliseconds(250);
    private const int AnnounceAttempts = 5;

    private readonly Deployment _deployment;
    private readonly HistoryRecorder _recorder;
    private readonly GatewayClient[] _clients;
    private readonly List<string> _acknowledged = [];
    private readonly ConcurrentDictionary<string, int> _createsInFlight = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, bool> _reads = new();
    private readonly int[] _readsInFlight;
    private readonly Random _random = new(19);

    public Workload(Deployment deployment, HistoryRecorder recorder)
    {
        _deployment = deployment;
        _recorder = recorder;
        _clients = [.. deployment.Gateways.Select((gateway, i) => new GatewayClient(i, gateway.BaseAddress, recorder))];
        _readsInFlight = new int[_clients.Length];
    }

    public IReadOnlyList<GatewayClient> Clients => _clients;

    /// <summary>Ids whose create through <paramref name="instance"/> has been sent and not answered yet.</summary>
    public IReadOnlyList<string> CreatesInFlight(int instance) =>
        [.. _createsInFlight.Where(pair => pair.Value == instance).Select(pair => pair.Key)];

    /// <summary>Runs until <paramref name="stop"/> is cancelled, then waits for every request sent to end.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        var loops = new List<Task>();
        for (var instance = 0; instance < _clients.Length; instance++)
        {
            for (var writer = 0; writer < WritersPerGateway; writer++)
            {
                loops.Add(WriteLoopAsync(instance, writer, stop));
            }

            loops.Add(ReadLoopAsync(instance, stop));
        }

        loops.Add(AnnounceLoopAsync(stop));
        await Task.WhenAll(loops);
        await Task.WhenAll(_reads.Keys);
    }

    public void Dispose()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }
    }

    private async Task WriteLoopAsync(int instance, int writer, CancellationToken stop)
    {
        for (var sequence = 0; !stop.IsCancellationRequested; sequence++)
        {
            var pace = Task.Delay(WriterPace, CancellationToken.None);
            var id = string.Create(CultureInfo.InvariantCulture, $"NEW-{instance}{writer}-{sequence:D5}");
            _createsInFlight[id] = instance;
            var created = await _clients[instance].CreateAsync(id);
            _createsInFlight.TryRemove(id, out _);
            if (created.IsSuccess)
            {
                Acknowledge(id);
                await Task.WhenAll(_clients.Select(client => client.ReadAsync(ReadTarget.AfterCreate, id)));
            }

            await pace;
        }
    }

    private async Task ReadLoopAsync(int instance, CancellationToken stop)
    {
        using var ticks = new PeriodicTimer(ReadTick);
        try
        {
            while (await ticks.WaitForNextTickAsync(stop))
            {
                Read(instance, ReadTarget.Missing, $"MISS-{Guid.NewGuid():N}");
                Read(instance, ReadTarget.Existing, DeploymentSettings.Seed[Next(HotIds)]);
                if (Earlier() is { } earlier)
                {
                    Read(instance, ReadTarget.Earlier, earlier);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private async Task AnnounceLoopAsync(CancellationToken stop)
    {
        for (var sequence = 0; !stop.IsCancellationRequested; sequence++)
        {
            try
            {
                await Task.Delay(AnnouncePace, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var id = string.Create(CultureInfo.InvariantCulture, $"ANN-{sequence:D4}");
            if (!await InsertIntoCatalogAsync(id))
            {
                continue;
            }

            // A refused announcement is sent again, through the next gateway, as an operator would.
            for (var attempt = 0; attempt < AnnounceAttempts && !stop.IsCancellationRequested; attempt++)
            {
                if ((await _clients[(sequence + attempt) % _clients.Length].AnnounceAsync([id])).IsSuccess)
                {
                    Acknowledge(id);
                    break;
                }

                await Task.Delay(AnnounceRetryPause, CancellationToken.None);
            }
        }
    }

    /// <summary>A product created behind the gateways' back: straight into the catalog, recorded.</summary>
    private async Task<bool> InsertIntoCatalogAsync(string id)
    {
        var started = _recorder.Now();
        var operation = new Operation { Kind = OpKind.CatalogInsert, Ids = [id] };
        try
        {
            using var response = await _deployment.CatalogClient.PostAsJsonAsync("/products", new GatewayClient.ProductBody(id, "Announced " + id, 7.25m));
            _recorder.Record(started, operation with { Status = (int)response.StatusCode });
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            _recorder.Record(started, operation with { Error = e.Message });
            return false;
        }
    }

    /// <summary>Sends a read without waiting for it, unless this instance already has too many in flight (a hung gateway).</summary>
    private void Read(int instance, ReadTarget target, string id)
    {
        if (Interlocked.Increment(ref _readsInFlight[instance]) > MaxReadsInFlight)
        {
            Interlocked.Decrement(ref _readsInFlight[instance]);
            return;
        }

        var read = _clients[instance].ReadAsync(target, id);
        _reads[read] = true;
        read.ContinueWith(done =>
        {
            Interlocked.Decrement(ref _readsInFlight[instance]);
            _reads.TryRemove(done, out _);
        }, TaskScheduler.Default);
    }

    private void Acknowledge(string id)
    {
        lock (_acknowledged)
        {
            _acknowledged.Add(id);
        }
    }

    private string? Earlier()
    {
        lock (_acknowledged)
        {
            return _acknowledged.Count == 0 ? null : _acknowledged[Next(_acknowledged.Count)];
        }
    }

    private int Next(int below)
    {
        lock (_random)
        {
            return _random.Next(below);
        }
    }
}
