using Microsoft.Extensions.Internal;

namespace EdgeGuard.Proxy.Caching;

/// <summary>MemoryCache still takes an <see cref="ISystemClock"/>; this lets it follow the app's TimeProvider.</summary>
internal sealed class TimeProviderClock(TimeProvider time) : ISystemClock
{
    public DateTimeOffset UtcNow => time.GetUtcNow();
}
