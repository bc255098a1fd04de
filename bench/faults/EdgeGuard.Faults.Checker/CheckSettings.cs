using System.Text.Json;
using EdgeGuard.Faults.Checker.History;

namespace EdgeGuard.Faults.Checker;

/// <summary>
/// The deployment's settings the promises are stated in, as the run configured its gateways.
/// </summary>
/// <param name="Instances">How many gateway instances the workload used (0 to <c>Instances - 1</c>).</param>
/// <param name="FreshFor">How long a cached answer is fresh (<c>EdgeGuard:Cache:PositiveTtl</c>): older, it may only be served labelled <c>stale</c>.</param>
/// <param name="FailSafeMaxAge">How old an answer may be served when the catalog fails (<c>EdgeGuard:Cache:FailSafeMaxAge</c>).</param>
/// <param name="FalsePositiveRate">The filter's configured false-positive rate (<c>EdgeGuard:Bloom:FalsePositiveRate</c>).</param>
/// <param name="RecoveryLimit">How soon after a heal every instance must reject missing ids with its filter again.</param>
/// <param name="Significance">How unlikely, for a filter at its configured rate, a count of forwarded missing ids may be before it fails the rate check.</param>
public sealed record CheckSettings(int Instances, TimeSpan FreshFor, TimeSpan FailSafeMaxAge, double FalsePositiveRate, TimeSpan RecoveryLimit,
    double Significance = 1e-6)
{
    public async Task WriteAsync(string path) =>
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(this, HistoryJsonContext.Default.CheckSettings));

    public static async Task<CheckSettings> ReadAsync(string path) =>
        JsonSerializer.Deserialize(await File.ReadAllTextAsync(path), HistoryJsonContext.Default.CheckSettings)
        ?? throw new InvalidDataException($"{path}: not check settings");
}
