using System.Globalization;

namespace EdgeGuard.Filter.Tests;

/// <summary>
/// Large bit arrays are advised to be transparent huge pages (<see cref="TransparentHugePages"/>), read back from the
/// kernel's own account of the process's memory (/proc/self/smaps), and are zero however the GC came by their memory.
/// </summary>
public class HugePagesTests
{
    private const long PageBytes = TransparentHugePages.PageBytes;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_large_array_of_either_layout_lies_in_huge_pages_unless_the_administrator_turned_them_off(bool blocked)
    {
        Assert.True(OperatingSystem.IsLinux(), "these tests read Linux's /proc and /sys");
        var bits = new LockFreeBitArray(64L * 8 * 1024 * 1024 * 3, cacheLineAligned: blocked); // 24 MB
        var (start, length) = WholePagesOf(bits);
        var mapping = Mapping.Containing(start);
        var never = File.ReadAllText("/sys/kernel/mm/transparent_hugepage/enabled").Contains("[never]", StringComparison.Ordinal);

        Assert.True(mapping.End >= start + length, $"the advised pages are one mapping of their own: {mapping}");
        if (never)
        {
            Assert.DoesNotContain("hg", mapping.Flags);
            Assert.Equal(0, mapping.AnonHugePagesBytes);
            return;
        }

        Assert.Contains("hg", mapping.Flags); // MADV_HUGEPAGE taken
        if (Environment.OSVersion.Version < new Version(6, 1))
        {
            return; // no MADV_COLLAPSE: memory the GC recycled stays in 4 KB pages until khugepaged gets to it
        }

        Assert.True(mapping.AnonHugePagesBytes >= length, $"{length:N0} bytes of whole 2 MB pages inside the array, {mapping}");
    }

    [Fact]
    public void A_large_array_is_all_zero_even_where_an_earlier_one_had_every_bit_set()
    {
        const long bitCount = 64L * 8 * 1024 * 1024; // 8 MB
        for (var round = 0; round < 4; round++)
        {
            var bits = new LockFreeBitArray(bitCount, cacheLineAligned: round % 2 == 0);
            Assert.False(bits.Words.ContainsAnyExcept(0L));
            bits.Words.Fill(-1); // garbage for the next array, should the GC hand it this memory
            GC.KeepAlive(bits);
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        }
    }

    [Fact]
    public void A_small_array_is_not_advised()
    {
        var bits = new LockFreeBitArray(64L * 1024, cacheLineAligned: true); // 8 KB
        Assert.False(bits.Words.ContainsAnyExcept(0L));
        Assert.True(TransparentHugePages.MinimumBytes > bits.WordCount * sizeof(long));
    }

    private static (long Start, long Length) WholePagesOf(LockFreeBitArray bits)
    {
        long address = bits.AddressOfWords;
        var start = (address + PageBytes - 1) & ~(PageBytes - 1);
        var end = (address + (long)bits.WordCount * sizeof(long)) & ~(PageBytes - 1);
        Assert.True(end - start >= PageBytes, "the array spans at least one whole huge page");
        return (start, end - start);
    }

    /// <summary>One mapping of /proc/self/smaps: its range, its VmFlags and the bytes of it in huge pages.</summary>
    private sealed record Mapping(long Start, long End, string[] Flags, long AnonHugePagesBytes)
    {
        public static Mapping Containing(long address)
        {
            Mapping? found = null;
            long start = 0, end = 0, huge = 0;
            foreach (var line in File.ReadLines("/proc/self/smaps"))
            {
                if (IsRangeLine(line))
                {
                    var range = line[..line.IndexOf(' ', StringComparison.Ordinal)].Split('-');
                    (start, end, huge) = (long.Parse(range[0], NumberStyles.HexNumber), long.Parse(range[1], NumberStyles.HexNumber), 0);
                }
                else if (line.StartsWith("AnonHugePages:", StringComparison.Ordinal))
                {
                    huge = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
                }
                else if (line.StartsWith("VmFlags:", StringComparison.Ordinal) && start <= address && address < end)
                {
                    found = new Mapping(start, end, line["VmFlags:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries), huge);
                }
            }

            return found ?? throw new InvalidOperationException($"no mapping holds 0x{address:x}");
        }

        private static bool IsRangeLine(string line)
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            var dash = line.IndexOf('-', StringComparison.Ordinal);
            return space > 0 && dash > 0 && dash < space && line[..dash].All(char.IsAsciiHexDigit);
        }

        public override string ToString() =>
            $"mapping 0x{Start:x}-0x{End:x}, {AnonHugePagesBytes:N0} bytes in huge pages, flags {string.Join(' ', Flags)}";
    }
}
