using System.Runtime.InteropServices;

namespace EdgeGuard.Filter;

/// <summary>
/// Backs a large bit array with 2 MB pages where Linux allows it (transparent huge pages in "always" or "madvise"
/// mode). A random lookup into a filter far larger than the CPU's caches misses the cache once; with 4 KB pages it
/// also misses the TLB, and the page walk that follows can miss the cache again. With 2 MB pages a 64 MB array needs
/// 32 TLB entries instead of 16,384, so the walk is rare.
/// </summary>
/// <remarks>
/// The advice must come before the pages are first touched: the kernel then faults each 2 MB of the range in as one
/// page. <see cref="Allocate"/> therefore takes the array uninitialised from the pinned object heap, advises the
/// 2 MB-aligned part of it, and only then clears it. The GC may hand out memory an earlier array used (a reload's
/// filter where the one before the last lay), already faulted in as 4 KB pages; a collapse (MADV_COLLAPSE, Linux 6.1
/// and later) then copies it into huge pages at once, and costs next to nothing where the clear already made them.
/// Where the administrator set THP to "never" nothing is asked. Nothing here changes an answer: any failure of a call
/// (another OS, an old kernel, no free huge page) leaves the array as it would have been.
/// </remarks>
internal static class TransparentHugePages
{
    public const int PageBytes = 2 << 20;

    private const int MadvHugePage = 14; // MADV_HUGEPAGE, <asm-generic/mman-common.h>
    private const int MadvCollapse = 25; // MADV_COLLAPSE

    private static readonly Lazy<bool> Allowed = new(() => OperatingSystem.IsLinux() && !ThpDisabled());

    /// <summary>Arrays from this size up are advised: two huge pages at least, so that one lies wholly inside.</summary>
    public const long MinimumBytes = 2L * PageBytes;

    /// <summary>
    /// A zeroed array of <paramref name="length"/> longs. One of <see cref="MinimumBytes"/> or more lies on the pinned
    /// object heap, with the whole 2 MB pages inside it advised to be huge pages where THP may be asked for; a smaller
    /// one is pinned only when <paramref name="pinned"/> says so.
    /// </summary>
    public static long[] Allocate(int length, bool pinned)
    {
        var large = (long)length * sizeof(long) >= MinimumBytes;
        if (!large || !Allowed.Value)
        {
            return GC.AllocateArray<long>(length, pinned || large);
        }

        var array = GC.AllocateUninitializedArray<long>(length, pinned: true);
        var (start, bytes) = WholePages(Marshal.UnsafeAddrOfPinnedArrayElement(array, 0), (long)length * sizeof(long));
        var advised = TryAdvise(start, bytes, MadvHugePage);
        array.AsSpan().Clear();
        if (advised)
        {
            TryAdvise(start, bytes, MadvCollapse);
        }

        return array;
    }

    /// <summary>The 2 MB pages wholly inside [start, start + bytes).</summary>
    private static (nint Start, nuint Bytes) WholePages(nint start, long bytes)
    {
        var first = (start + (PageBytes - 1)) & ~(nint)(PageBytes - 1);
        var end = (start + (nint)bytes) & ~(nint)(PageBytes - 1);
        return (first, (nuint)Math.Max(0, end - first));
    }

    private static bool TryAdvise(nint start, nuint bytes, int advice)
    {
        try
        {
            return bytes > 0 && SysMadvise(start, bytes, advice) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>THP set to "never" (the selected mode is bracketed: <c>always madvise [never]</c>).</summary>
    private static bool ThpDisabled()
    {
        try
        {
            return File.ReadAllText("/sys/kernel/mm/transparent_hugepage/enabled").Contains("[never]", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return true;
        }
    }

    [DllImport("libc", EntryPoint = "madvise")]
    private static extern int SysMadvise(nint address, nuint length, int advice);
}
