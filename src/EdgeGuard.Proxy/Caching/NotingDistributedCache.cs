using Microsoft.Extensions.Caching.Distributed;

namespace EdgeGuard.Proxy.Caching;

/// <summary>
/// Redis as FusionCache's L2, telling a first fetch's <see cref="FirstFetchNote"/> whether Redis held anything of its
/// id. Every operation is the inner cache's; only a read that Redis answered is noted (a failed read notes nothing,
/// and the fill takes no lock).
/// </summary>
internal sealed class NotingDistributedCache(IDistributedCache inner) : IDistributedCache
{
    public byte[]? Get(string key) => Noted(inner.Get(key));

    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default) =>
        Noted(await inner.GetAsync(key, token).ConfigureAwait(false));

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => inner.Set(key, value, options);

    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) =>
        inner.SetAsync(key, value, options, token);

    public void Refresh(string key) => inner.Refresh(key);

    public Task RefreshAsync(string key, CancellationToken token = default) => inner.RefreshAsync(key, token);

    public void Remove(string key) => inner.Remove(key);

    public Task RemoveAsync(string key, CancellationToken token = default) => inner.RemoveAsync(key, token);

    private static byte[]? Noted(byte[]? value)
    {
        FirstFetchNote.InThisFlow?.SharedLevelAnswered(value is not null);
        return value;
    }
}
