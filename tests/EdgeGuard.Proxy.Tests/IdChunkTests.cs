using System.Runtime.CompilerServices;

namespace EdgeGuard.Proxy.Tests;

/// <summary>The reused run of ids a chunked source hands over: ids written in place, the buffer grown for long ones, strings back out.</summary>
public sealed class IdChunkTests
{
    [Fact]
    public void Ids_come_back_as_written_in_place_or_copied_until_the_chunk_is_full()
    {
        var chunk = new IdChunk(capacity: 3);
        chunk.Add("SKU-1");
        var room = chunk.Reserve(20);
        42L.TryFormat(room, out var written, default, CultureInfo.InvariantCulture);
        chunk.Commit(written);
        chunk.Add("");

        Assert.True(chunk.IsFull);
        Assert.Equal(["SKU-1", "42", ""], Enumerable.Range(0, chunk.Count).Select(i => chunk[i].ToString()));
        Assert.Throws<InvalidOperationException>(() => chunk.Add("one too many"));
        Assert.Throws<ArgumentOutOfRangeException>(() => chunk.Memory(3));

        chunk.Clear();
        Assert.Equal(0, chunk.Count);
        chunk.Add("SKU-2");
        Assert.Equal("SKU-2", chunk[0].ToString());
    }

    [Fact]
    public void Ids_longer_than_the_buffer_grow_it_and_keep_the_ids_before_them()
    {
        var chunk = new IdChunk(capacity: 4); // 64 characters to start with
        var longId = new string('L', 1_000);
        chunk.Add("SKU-1");
        chunk.Add(longId);
        chunk.Add("SKU-3");

        Assert.Equal(["SKU-1", longId, "SKU-3"], Enumerable.Range(0, chunk.Count).Select(i => chunk.Memory(i).ToString()));
    }

    [Fact]
    public void A_commit_longer_than_the_room_reserved_is_refused()
    {
        var chunk = new IdChunk();
        Assert.Throws<InvalidOperationException>(() => chunk.Commit(0)); // nothing reserved
        chunk.Reserve(4);
        Assert.Throws<InvalidOperationException>(() => chunk.Commit(5));
        chunk.Commit(4);
        Assert.Equal(1, chunk.Count);
    }

    [Fact]
    public async Task Strings_in_chunks_and_back_are_the_same_ids_in_the_same_order()
    {
        var ids = Enumerable.Range(0, 2_500).Select(i => i % 5 == 0 ? "" : $"SKU-{i}").ToList();
        var sizes = new List<int>();
        var back = new List<string>();
        await foreach (var chunk in IdChunk.Of(Async(ids)))
        {
            sizes.Add(chunk.Count);
        }

        await foreach (var id in IdChunk.Strings(IdChunk.Of(Async(ids))))
        {
            back.Add(id);
        }

        Assert.Equal([IdChunk.DefaultCapacity, IdChunk.DefaultCapacity, 2_500 - 2 * IdChunk.DefaultCapacity], sizes);
        Assert.Equal(ids, back);
    }

    /// <summary>A reader of strings stops at the id after a cancellation, not at the end of the chunk it is in.</summary>
    [Fact]
    public async Task A_cancelled_reader_of_strings_stops_at_the_next_id()
    {
        using var cancel = new CancellationTokenSource();
        var read = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in IdChunk.Strings(IdChunk.Of(Async(Enumerable.Range(0, 2_000).Select(i => $"SKU-{i}"))), cancel.Token))
            {
                if (++read == 10)
                {
                    await cancel.CancelAsync();
                }
            }
        });

        Assert.Equal(10, read);
    }

    private static async IAsyncEnumerable<string> Async(IEnumerable<string> ids, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var id in ids)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return id;
        }

        await Task.CompletedTask;
    }
}
