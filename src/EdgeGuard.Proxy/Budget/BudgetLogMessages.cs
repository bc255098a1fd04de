namespace EdgeGuard.Proxy.Budget;

/// <summary>The client budget's log events (300–399).</summary>
internal static partial class BudgetLogMessages
{
    [LoggerMessage(301, LogLevel.Information, "Client budget on: {PerSecond} catalog requests per second per client, bursts of {Burst}; {Exempt} exempt networks; X-Forwarded-For believed from {Proxies} known proxies and {Networks} known networks")]
    public static partial void BudgetOn(ILogger logger, double perSecond, int burst, int exempt, int proxies, int networks);

    [LoggerMessage(302, LogLevel.Warning, "Client {Client} is over its budget of catalog requests ({PerSecond}/s, bursts of {Burst}): answered 429 ({Suppressed} more refusals in the last {WindowSeconds} s were not logged)")]
    public static partial void ClientHeld(ILogger logger, string client, double perSecond, int burst, long suppressed, double windowSeconds);
}
