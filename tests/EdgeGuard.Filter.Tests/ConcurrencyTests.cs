namespace EdgeGuard.Filter.Tests;

public class ConcurrencyTests
{
    [Theory]
    [InlineData(false, BloomFilterLayout.Standard)]
    [InlineData(true, BloomFilterLayout.Standard)]
    [InlineData(false, BloomFilterLayout.Blocked)]
    [InlineData(true, BloomFilterLayout.Blocked)]
    public void Concurrent_adds_and_reads_lose_nothing(bool keyed, BloomFilterLayout layout)
    {
        const int idsPerWriter = 100_000;
        var writers = Math.Max(2, Environment.ProcessorCount);
        var readers = Math.Max(2, Environment.ProcessorCount);
        var key = keyed ? BloomFilterKey.NewRandom() : (BloomFilterKey?)null;
        BloomFilter NewFilter() => key is { } k ? new BloomFilter(writers * idsPerWriter, 0.01, layout, k) : new BloomFilter(writers * idsPerWriter, 0.01, layout);
        var filter = NewFilter();
        var ids = Enumerable.Range(0, writers).Select(w => Enumerable.Range(0, idsPerWriter).Select(i => $"W{w}-{i}").ToArray()).ToArray();
        var published = new int[writers]; // per writer: how many of its ids Add has returned for
        var changedBits = new long[writers];
        var readerFailures = 0L;
        var readerChecks = 0L;
        using var start = new Barrier(writers + readers);
        var writersDone = 0;

        var writerThreads = Enumerable.Range(0, writers).Select(w => new Thread(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < idsPerWriter; i++)
            {
                if (filter.Add(ids[w][i]))
                {
                    changedBits[w]++;
                }

                if (!filter.MightContain(ids[w][i]))
                {
                    Interlocked.Increment(ref readerFailures);
                }

                Volatile.Write(ref published[w], i + 1);
            }

            Interlocked.Increment(ref writersDone);
        })).ToList();

        // Readers check ids other threads have finished adding: each must already be visible.
        var readerThreads = Enumerable.Range(0, readers).Select(r => new Thread(() =>
        {
            var random = new Random(r);
            start.SignalAndWait();
            while (Volatile.Read(ref writersDone) < writers)
            {
                var w = random.Next(writers);
                var upTo = Volatile.Read(ref published[w]);
                if (upTo == 0)
                {
                    continue;
                }

                var id = ids[w][random.Next(upTo)];
                Interlocked.Increment(ref readerChecks);
                if (!filter.MightContain(id))
                {
                    Interlocked.Increment(ref readerFailures);
                }
            }
        })).ToList();

        foreach (var thread in writerThreads.Concat(readerThreads))
        {
            thread.Start();
        }

        foreach (var thread in writerThreads.Concat(readerThreads))
        {
            thread.Join();
        }

        Assert.Equal(0, readerFailures);
        Assert.True(readerChecks > 1000, $"readers only ran {readerChecks} checks");
        Assert.All(ids.SelectMany(x => x), id => Assert.True(filter.MightContain(id)));
        Assert.Equal(changedBits.Sum(), filter.Count);

        // No bit lost to a race: the same ids added on one thread give the very same words.
        var sequential = NewFilter();
        foreach (var id in ids.SelectMany(x => x))
        {
            sequential.Add(id);
        }

        Assert.Equal(sequential.CopyBits(), filter.CopyBits());
    }
}
