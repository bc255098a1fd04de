using EdgeGuard.Proxy.Caching;

namespace EdgeGuard.Proxy.Tests;

/// <summary>
/// Which cached answers are older than a write of their id. The fault harness, killing the catalog, saw instances answer
/// 5xx for products nobody had written: a commit of another id in the same stripe made their answers look older than a
/// write, so they were dropped everywhere and fetched again from a catalog that was down. Recent commits are now judged
/// by id; only answers older than every commit remembered fall back to the stripes.
/// </summary>
public sealed class CommitPositionsTests
{
    private const string Written = "WRITTEN-1";

    /// <summary>An id in the same stripe as <see cref="Written"/> (found the way the stripes are: by trying).</summary>
    private static string Neighbour()
    {
        for (var i = 0; ; i++)
        {
            var candidate = $"NEIGHBOUR-{i}";
            var stripesOnly = new CommitPositions(recentCommits: 0);
            stripesOnly.Committed(Written, 10);
            if (!stripesOnly.IsCurrent(candidate, 5))
            {
                return candidate;
            }
        }
    }

    [Fact]
    public void A_commit_makes_answers_of_its_own_id_fetched_before_it_old_and_no_others()
    {
        var neighbour = Neighbour();
        var positions = new CommitPositions();

        positions.Committed(Written, 10);

        Assert.False(positions.IsCurrent(Written, 5));
        Assert.True(positions.IsCurrent(Written, 10));
        Assert.True(positions.IsCurrent(neighbour, 5)); // same stripe, never written
        Assert.True(positions.IsCurrent("UNRELATED-1", 5));
        Assert.Equal(10, positions.Applied);
    }

    [Fact]
    public void The_latest_commit_of_an_id_counts()
    {
        var positions = new CommitPositions();

        positions.Committed(Written, 10);
        positions.Committed(Written, 20);

        Assert.False(positions.IsCurrent(Written, 15));
        Assert.True(positions.IsCurrent(Written, 20));
    }

    [Fact]
    public void Answers_older_than_every_commit_remembered_are_judged_by_their_stripe()
    {
        var neighbour = Neighbour();
        var positions = new CommitPositions(recentCommits: 2);

        positions.Committed(Written, 10);
        positions.Committed("OTHER-1", 20);
        positions.Committed("OTHER-2", 30); // WRITTEN-1's commit is forgotten by id

        Assert.False(positions.IsCurrent(Written, 5));
        Assert.False(positions.IsCurrent(neighbour, 5)); // its stripe moved after this fetch: it may be older than a write
        Assert.True(positions.IsCurrent(neighbour, 10));
        Assert.False(positions.IsCurrent("OTHER-1", 15)); // still remembered
        Assert.True(positions.IsCurrent("OTHER-2", 30));
    }

    [Fact]
    public void Distrust_makes_every_answer_fetched_before_the_position_old()
    {
        var positions = new CommitPositions();
        positions.Committed(Written, 10);

        positions.DistrustBefore(100);

        Assert.False(positions.IsCurrent("UNRELATED-1", 50));
        Assert.False(positions.IsCurrent(Written, 50));
        Assert.True(positions.IsCurrent("UNRELATED-1", 100));
        Assert.Equal(100, positions.Applied);
    }

    [Fact]
    public async Task Commits_from_several_threads_keep_every_id_judged_by_its_own_commits()
    {
        var positions = new CommitPositions();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(thread => Task.Run(() =>
        {
            for (var i = 0; i < 500; i++)
            {
                positions.Committed($"T{thread}-{i}", 1 + (thread * 500) + i);
            }
        })));

        for (var thread = 0; thread < 4; thread++)
        {
            for (var i = 0; i < 500; i++)
            {
                var committed = 1 + (thread * 500) + i;
                Assert.False(positions.IsCurrent($"T{thread}-{i}", committed - 1));
                Assert.True(positions.IsCurrent($"T{thread}-{i}", committed));
            }
        }

        Assert.True(positions.IsCurrent("NEVER-WRITTEN", 0));
    }
}
