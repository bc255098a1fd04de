using System.Collections.Concurrent;
using System.Net;
using EdgeGuard.Proxy.Tests.Infrastructure;

namespace EdgeGuard.Proxy.Tests.Cluster;

/// <summary>
/// The cluster through what breaks it: Redis killed, frozen, restarted empty; an instance killed, restarted
/// with the catalog down, or cut off longer than the log reaches back. Each test has a cluster of its own.
/// Throughout: no 5xx for a read, no existing product ever answered 404 by a filter, and a write that cannot
/// be told to the cluster refused before it is forwarded.
/// </summary>
[Integration]
[Collection(ClusterCollection.Name)]
public sealed class ClusterOutageTests
{
    private static readonly string[] CatalogIds = [.. Enumerable.Range(0, 500).Select(i => $"HAVE-{i:D4}")];

    [Fact]
    public async Task Killed_redis_refuses_writes_before_forwarding_keeps_reads_working_and_an_empty_restart_is_survived()
    {
        await using var bed = await ClusterTestBed.StartAsync(CatalogIds);
        using var clients = new Clients(bed);
        using (var created = await ClusterTestBed.CreateAsync(clients[0], "BEFORE-1"))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        bed.Redis.Kill();
        using (var refused = await ClusterTestBed.CreateAsync(clients[1], "DURING-1"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.NotNull(refused.Headers.RetryAfter);
        }

        using (var notThere = await bed.Catalog.Client.GetAsync("/products/DURING-1"))
        {
            Assert.Equal(HttpStatusCode.NotFound, notThere.StatusCode); // nothing was forwarded
        }

        // Through the outage and past the membership TTL (when instances stop trusting their filters).
        await clients.ReadForAsync(TimeSpan.FromSeconds(3), ["BEFORE-1", .. CatalogIds.Take(20)]);

        await bed.Redis.StartAsync(CancellationToken.None); // empty: a new generation
        await Eventually.TrueAsync(async () =>
        {
            using var created = await ClusterTestBed.CreateAsync(clients[2], "AFTER-1");
            return created.StatusCode == HttpStatusCode.Created;
        }, TimeSpan.FromSeconds(30), "writes never worked again after Redis came back empty");
        await clients.ReadForAsync(TimeSpan.FromSeconds(1), ["BEFORE-1", "AFTER-1", .. CatalogIds.Take(20)]);
        await clients.WaitUntilEachRejectsAsync();
    }

    [Fact]
    public async Task Frozen_redis_refuses_writes_and_never_fails_a_read_or_rejects_a_product()
    {
        await using var bed = await ClusterTestBed.StartAsync(CatalogIds);
        using var clients = new Clients(bed);
        using (var created = await ClusterTestBed.CreateAsync(clients[0], "BEFORE-2"))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        bed.Redis.Freeze();
        try
        {
            using var refused = await ClusterTestBed.CreateAsync(clients[1], "DURING-2");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            await clients.ReadForAsync(TimeSpan.FromSeconds(3), ["BEFORE-2", .. CatalogIds.Take(20)]);
        }
        finally
        {
            bed.Redis.Thaw();
        }

        await Eventually.TrueAsync(async () =>
        {
            using var created = await ClusterTestBed.CreateAsync(clients[2], "AFTER-2");
            return created.StatusCode == HttpStatusCode.Created;
        }, TimeSpan.FromSeconds(20), "writes never worked again after Redis thawed");
        await clients.ReadForAsync(TimeSpan.FromSeconds(1), ["BEFORE-2", "AFTER-2"]);
        await clients.WaitUntilEachRejectsAsync();
    }

    [Fact]
    public async Task Killed_instance_holds_writes_at_most_until_its_membership_expires_and_its_lease_moves()
    {
        await using var bed = await ClusterTestBed.StartAsync(CatalogIds);
        using var clients = new Clients(bed);
        await Eventually.TrueAsync(async () => await bed.LeaderAsync() is not null, TimeSpan.FromSeconds(10), "no instance took the leader's lease");
        var leader = (await bed.LeaderAsync())!;
        var leaderIndex = int.Parse(leader["gw-".Length..]);

        bed.Instances[leaderIndex].Kill(); // SIGKILL: it never leaves the cluster itself
        var writer = clients[(leaderIndex + 1) % 3];
        var refusals = 0;
        var started = DateTime.UtcNow;
        while (true)
        {
            using var created = await ClusterTestBed.CreateAsync(writer, $"AFTER-KILL-{refusals}");
            if (created.StatusCode == HttpStatusCode.Created)
            {
                break;
            }

            Assert.Equal(HttpStatusCode.ServiceUnavailable, created.StatusCode); // waiting for a member that is gone
            Assert.NotNull(created.Headers.RetryAfter);
            refusals++;
            Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(15), "writes were held far past the membership TTL");
        }

        Assert.True(DateTime.UtcNow - started < ClusterTestBed.MembershipTtl + TimeSpan.FromSeconds(4));
        await Eventually.TrueAsync(async () => await bed.LeaderAsync() is { } next && next != leader, TimeSpan.FromSeconds(15),
            "the leader's lease never moved to a live instance");
    }

    [Fact]
    public async Task Instance_restarted_while_the_catalog_is_down_rejects_missing_ids_from_its_first_ready_moment()
    {
        await using var bed = await ClusterTestBed.StartAsync(CatalogIds, catalogLink: true);
        using var clients = new Clients(bed);
        using (var created = await ClusterTestBed.CreateAsync(clients[0], "CREATED-3"))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        await Eventually.TrueAsync(async () => await bed.Admin.GetDatabase().KeyExistsAsync("{edgeguard}:snapshot"), TimeSpan.FromSeconds(10),
            "the leader never wrote a snapshot");
        bed.Instances[2].Kill();

        // The catalog goes down (its address refuses every connection): a new instance can learn only from the
        // cluster's snapshot and log. Same catalog address: the snapshot's sources are its own.
        await bed.CatalogLink!.ResetAsync();
        var restarted = bed.StartInstance("gw-restarted");
        await restarted.WaitUntilReadyAsync(TimeSpan.FromSeconds(30));
        using var client = restarted.CreateClient();

        using var missing = await client.GetAsync("/products/NEVER-EXISTED-1");
        Assert.Equal("bloom", missing.Source());
        foreach (var id in new[] { "CREATED-3", CatalogIds[0], CatalogIds[^1] })
        {
            using var existing = await client.GetAsync($"/products/{id}");
            Assert.NotEqual("bloom", existing.Source()); // forwarded (and failed: the catalog is down), never denied
        }
    }

    [Fact]
    public async Task Instance_cut_off_longer_than_the_log_reaches_back_forwards_until_it_has_reloaded()
    {
        await using var bed = await ClusterTestBed.StartAsync(CatalogIds, settings: new Dictionary<string, string?>
        {
            ["EdgeGuard__Cluster__LogMaxLength"] = "1000",
        });
        using var clients = new Clients(bed);
        var frozen = bed.Instances[2];

        frozen.Freeze();
        var created = new List<string>();
        try
        {
            await bed.WaitForMembersAsync(2, TimeSpan.FromSeconds(10)); // its membership expired
            // Enough writes (a begin and a commit each) that the log trims past where the frozen instance stopped.
            for (var i = 0; created.Count < 800; i++)
            {
                using var response = await ClusterTestBed.CreateAsync(clients[i % 2], $"WHILE-AWAY-{i:D4}");
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    created.Add($"WHILE-AWAY-{i:D4}");
                }
            }
        }
        finally
        {
            frozen.Thaw();
        }

        // From the moment it wakes, it must never deny what was created while it was away.
        var denied = new ConcurrentQueue<string>();
        var sample = created.Where((_, i) => i % 20 == 0).Append(created[^1]).ToList();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        var rejectsAgain = false;
        while (DateTime.UtcNow < deadline && !rejectsAgain)
        {
            foreach (var id in sample)
            {
                using var read = await clients[2].GetAsync($"/products/{id}");
                if (read.Source() == "bloom" || read.StatusCode == HttpStatusCode.NotFound)
                {
                    denied.Enqueue($"{id}: {(int)read.StatusCode} {read.Source()}");
                }
            }

            using var missing = await clients[2].GetAsync($"/products/NEVER-{Guid.NewGuid():N}");
            rejectsAgain = missing.Source() == "bloom";
        }

        Assert.True(denied.IsEmpty, $"denied after waking: {string.Join("; ", denied.Take(5))}");
        Assert.True(rejectsAgain, "the instance never trusted its filter again after reloading");
        foreach (var id in sample)
        {
            using var read = await clients[2].GetAsync($"/products/{id}");
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        }
    }

    /// <summary>A client per instance, and the checks every outage test makes through all of them.</summary>
    private sealed class Clients(ClusterTestBed bed) : IDisposable
    {
        private readonly HttpClient[] _clients = [.. bed.Instances.Select(instance => instance.CreateClient())];

        public HttpClient this[int index] => _clients[index];

        /// <summary>Reads <paramref name="existing"/> and missing ids through every live instance for a while:
        /// no 5xx, and no existing product answered 404 (by a filter or a cache).</summary>
        public async Task ReadForAsync(TimeSpan duration, IReadOnlyList<string> existing)
        {
            var problems = new ConcurrentQueue<string>();
            var until = DateTime.UtcNow + duration;
            var live = _clients.Select((client, i) => (Client: client, Instance: bed.Instances[i])).Where(x => !x.Instance.HasExited).ToList();
            do
            {
                foreach (var (client, instance) in live)
                {
                    Assert.False(instance.HasExited, $"{client.BaseAddress} died: {instance.StandardError}{Environment.NewLine}{instance.StandardOutput}");
                    foreach (var id in existing)
                    {
                        using var read = await client.GetAsync($"/products/{id}");
                        if (read.StatusCode != HttpStatusCode.OK)
                        {
                            problems.Enqueue($"{client.BaseAddress} {id}: {(int)read.StatusCode} {read.Source()}");
                        }
                    }

                    using var missing = await client.GetAsync($"/products/MISSING-{Guid.NewGuid():N}");
                    if ((int)missing.StatusCode >= 500)
                    {
                        problems.Enqueue($"{client.BaseAddress} a missing id: {(int)missing.StatusCode}");
                    }
                }
            }
            while (DateTime.UtcNow < until && problems.IsEmpty);

            Assert.True(problems.IsEmpty, string.Join("; ", problems.Take(5)));
        }

        /// <summary>Every live instance trusts its filter again: a missing id is rejected by it.</summary>
        public async Task WaitUntilEachRejectsAsync()
        {
            for (var i = 0; i < _clients.Length; i++)
            {
                if (bed.Instances[i].HasExited)
                {
                    continue;
                }

                var client = _clients[i];
                var rejects = await Eventually.ValueAsync(async () =>
                {
                    using var missing = await client.GetAsync($"/products/MISSING-{Guid.NewGuid():N}");
                    return missing.Source() == "bloom";
                }, rejected => rejected, TimeSpan.FromSeconds(20));
                if (!rejects)
                {
                    using var ready = await client.GetAsync("/health/ready");
                    Assert.Fail($"{client.BaseAddress} never rejected again; stats: {await client.GetStringAsync("/bloom/stats")}; " +
                                $"ready: {(int)ready.StatusCode} {await ready.Content.ReadAsStringAsync()}; log:{Environment.NewLine}{bed.Instances[i].StandardOutput}");
                }
            }
        }

        public void Dispose()
        {
            foreach (var client in _clients)
            {
                client.Dispose();
            }
        }
    }
}
