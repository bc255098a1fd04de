using EdgeGuard.Faults.Checker.Checks;
using EdgeGuard.Faults.Checker.History;

namespace EdgeGuard.Faults.Tests.Checker;

public sealed class NoLostWriteCheckTests
{
    private static CheckResult Run(HistoryBuilder history) =>
        new NoLostWriteCheck().Evaluate(history.Operations, Timeline.Of(history.Operations), HistoryBuilder.Settings);

    [Fact]
    public void Acknowledged_ids_in_the_catalog_and_served_everywhere_pass()
    {
        var result = Run(new HistoryBuilder()
            .Create("NEW-1", 0, at: 1, status: 201).InCatalog("NEW-1", exists: true).FinalReads("NEW-1")
            .Announce("ANN-1", 1, at: 2, status: 200).InCatalog("ANN-1", exists: true).FinalReads("ANN-1"));

        Assert.True(result.Passed, result.ToString());
        Assert.Equal(2, result.Checked);
        Assert.Equal("2 acknowledged, 0 more landed without a 2xx", result.Detail);
    }

    [Fact]
    public void An_acknowledged_id_the_catalog_lacks_is_lost()
    {
        var result = Run(new HistoryBuilder()
            .Create("NEW-1", 0, at: 1, status: 201).InCatalog("NEW-1", exists: false).FinalReads("NEW-1", status: 404));

        Assert.False(result.Passed);
        Assert.Contains(result.Examples, example => example.Contains("not in the catalog", StringComparison.Ordinal));
    }

    [Fact]
    public void An_acknowledged_id_one_instance_does_not_serve_at_the_end_is_lost_there()
    {
        var history = new HistoryBuilder()
            .Create("NEW-1", 0, at: 1, status: 201).InCatalog("NEW-1", exists: true)
            .Read(ReadTarget.Final, "NEW-1", 0, at: 1000, 200, "cache")
            .Read(ReadTarget.Final, "NEW-1", 1, at: 1000, 404, "bloom");

        var result = Run(history);

        Assert.Equal(2, result.Violations); // gw-1 answers 404, gw-2 was never asked
        Assert.Contains(result.Examples, example => example.Contains("gw-1", StringComparison.Ordinal) && example.Contains("404", StringComparison.Ordinal));
        Assert.Contains(result.Examples, example => example.Contains("never read through gw-2", StringComparison.Ordinal));
    }

    [Fact]
    public void A_write_without_an_answer_that_landed_must_be_served_and_one_that_did_not_need_not()
    {
        var served = Run(new HistoryBuilder()
            .Create("NEW-1", 0, at: 1, status: null).InCatalog("NEW-1", exists: true).FinalReads("NEW-1")
            .Create("NEW-2", 0, at: 1, status: 504).InCatalog("NEW-2", exists: false));
        var notServed = Run(new HistoryBuilder()
            .Create("NEW-1", 0, at: 1, status: null).InCatalog("NEW-1", exists: true).FinalReads("NEW-1", status: 404));

        Assert.True(served.Passed, served.ToString());
        Assert.Equal("0 acknowledged, 1 more landed without a 2xx", served.Detail);
        Assert.Equal(3, notServed.Violations);
    }

    [Fact]
    public void The_last_final_read_of_an_instance_counts()
    {
        var result = Run(new HistoryBuilder()
            .Create("NEW-1", 0, at: 1, status: 201).InCatalog("NEW-1", exists: true)
            .FinalReads("NEW-1", status: 404, at: 1000)
            .FinalReads("NEW-1", status: 200, at: 1001));

        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void An_id_inserted_behind_the_gateways_back_whose_announcement_was_refused_need_not_be_served()
    {
        var result = Run(new HistoryBuilder()
            .Add(new Operation { Kind = OpKind.CatalogInsert, Ids = ["ANN-1"], Start = 1000, End = 1010, Status = 201 })
            .Announce("ANN-1", 2, at: 1.1, status: 503)
            .InCatalog("ANN-1", exists: true)
            .FinalReads("ANN-1", status: 404));

        Assert.True(result.Passed, result.ToString());
        Assert.Equal(0, result.Checked);
    }
}
