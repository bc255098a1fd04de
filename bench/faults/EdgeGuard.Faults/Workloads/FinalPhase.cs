using EdgeGuard.Faults.Checker.History;
using EdgeGuard.Faults.Deployments;

namespace EdgeGuard.Faults.Workloads;

/// <summary>
/// After the workload stopped: the catalog asked directly about every id a create or an announcement named (does it
/// exist?), then every id it has (and every acknowledged one) read through every instance. Both are recorded: the
/// checker judges lost writes and refused writes on them.
/// </summary>
public static class FinalPhase
{
    private const int Parallelism = 16;

    public static async Task RunAsync(Deployment deployment, Workload workload, HistoryRecorder recorder, CancellationToken cancellationToken)
    {
        var written = recorder.Operations
            .Where(op => op.Kind is OpKind.Create or OpKind.Announce or OpKind.CatalogInsert)
            .SelectMany(op => op.AllIds)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var options = new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(written, options, async (id, _) => await CheckCatalogAsync(deployment, recorder, id));

        var acknowledged = recorder.Operations.Where(op => op.Kind is OpKind.Create or OpKind.Announce && op.IsSuccess).SelectMany(op => op.AllIds);
        var present = recorder.Operations.Where(op => op.Kind == OpKind.CatalogCheck && op.Status == 200).Select(op => op.Id!);
        var toRead = acknowledged.Concat(present).Distinct(StringComparer.Ordinal).ToList();
        await Parallel.ForEachAsync(toRead.SelectMany(id => workload.Clients.Select(client => (id, client))), options,
            async (pair, _) => await pair.client.ReadAsync(ReadTarget.Final, pair.id));
    }

    private static async Task CheckCatalogAsync(Deployment deployment, HistoryRecorder recorder, string id)
    {
        var started = recorder.Now();
        var operation = new Operation { Kind = OpKind.CatalogCheck, Id = id };
        try
        {
            using var response = await deployment.CatalogClient.GetAsync($"/products/{Uri.EscapeDataString(id)}");
            recorder.Record(started, operation with { Status = (int)response.StatusCode });
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            recorder.Record(started, operation with { Error = e.Message });
        }
    }
}
