using EdgeGuard.Faults.Checker;
using EdgeGuard.Faults.Checker.History;

namespace EdgeGuard.Faults.Tests.Checker;

public sealed class HistoryFileTests
{
    [Fact]
    public async Task A_history_and_its_settings_read_back_as_written()
    {
        var directory = Directory.CreateTempSubdirectory("edgeguard-history-").FullName;
        try
        {
            var history = new HistoryBuilder()
                .Create("NEW-1", 0, at: 1, status: 201)
                .Read(ReadTarget.AfterCreate, "NEW-1", 2, at: 1.5, 200, "cache", age: 0)
                .Announce("ANN-1", 1, at: 2, status: 200)
                .Fault(from: 3, healedAt: 4, instance: 1)
                .Operations;
            await HistoryFile.WriteAsync(Path.Combine(directory, "history.jsonl"), history);
            await HistoryBuilder.Settings.WriteAsync(Path.Combine(directory, "settings.json"));

            var read = await HistoryFile.ReadAsync(Path.Combine(directory, "history.jsonl"));
            Assert.Equal(history.Count, read.Count);
            for (var i = 0; i < history.Count; i++)
            {
                Assert.Equal(history[i] with { Ids = null }, read[i] with { Ids = null });
                Assert.Equal(history[i].Ids ?? [], read[i].Ids ?? []);
            }

            Assert.Contains("\"kind\":\"Read\",\"target\":\"AfterCreate\"", await File.ReadAllTextAsync(Path.Combine(directory, "history.jsonl")), StringComparison.Ordinal);
            Assert.Equal(HistoryBuilder.Settings, await CheckSettings.ReadAsync(Path.Combine(directory, "settings.json")));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
