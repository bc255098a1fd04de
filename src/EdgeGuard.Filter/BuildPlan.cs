using System.Numerics;

namespace EdgeGuard.Filter;

/// <summary>
/// How a <see cref="ParallelBloomFilterBuilder"/> turns ids into entries for one layout, and which partition
/// (a contiguous range of the bit array one thread owns while applying a batch) each entry falls in. An entry
/// is one 64-bit value whose top bits are its place in the array, so its partition is one shift away.
/// </summary>
internal abstract class BuildPlan
{
    /// <summary>About this much of the bit array per partition: fits a core's L2 cache.</summary>
    private const int PartitionBytes = 256 * 1024;

    private readonly int _partitionShift;

    /// <param name="units">Blocks or words in the array.</param>
    /// <param name="unitBytes">Bytes per block or word.</param>
    /// <param name="unitShift">Where the unit's index starts in an entry.</param>
    /// <param name="threads">Workers: partitions are made small enough for each to get several.</param>
    protected BuildPlan(long units, int unitBytes, int unitShift, int threads)
    {
        var span = Math.Max(1, Math.Min(PartitionBytes / unitBytes, units / (4L * threads)));
        var shift = BitOperations.Log2((ulong)span);
        Partitions = (int)((units - 1) >> shift) + 1;
        _partitionShift = unitShift + shift;
    }

    /// <summary>Entries per id: 1 for a blocked filter, k for a standard one.</summary>
    public abstract int EntriesPerItem { get; }

    /// <summary>True when an id's entries may lie in several partitions, so whether it set a new bit is kept per id.</summary>
    public abstract bool TracksItems { get; }

    public int Partitions { get; }

    public static BuildPlan For(BloomFilter filter, int threads) =>
        filter.Blocks is { } blocks ? new BlockedPlan(filter, blocks, threads) : new StandardPlan(filter, threads);

    public int PartitionOf(ulong entry) => (int)(entry >> _partitionShift);

    /// <summary>Hashes ids [from, to) of the batch into <see cref="BuildBatch.Entries"/> and counts them per partition.</summary>
    public abstract void Hash(BuildBatch batch, int from, int to, Span<int> histogram);

    /// <summary>Applies one partition's entries, in order; returns the ids among them that set a new bit (if known per entry).</summary>
    public abstract long Apply(BuildBatch batch, ReadOnlySpan<ulong> entries);

    /// <summary>Ids of the batch that set a new bit, when kept per id.</summary>
    public virtual long CountChanged(BuildBatch batch) => 0;

    /// <summary>Entry = block (bits 32 and up) and fingerprint (bits 0-31): all an id's bits come from it.</summary>
    private sealed class BlockedPlan(BloomFilter filter, BlockedBits blocks, int threads)
        : BuildPlan(blocks.BlockCount, BlockedBloomFilterMath.BlockBits / 8, unitShift: 32, threads)
    {
        public override int EntriesPerItem => 1;

        public override bool TracksItems => false;

        public override void Hash(BuildBatch batch, int from, int to, Span<int> histogram)
        {
            var keying = filter.Keying;
            var entries = batch.Entries;
            for (var i = from; i < to; i++)
            {
                var (h1, h2) = ItemHash.Compute(batch.Item(i), keying);
                var entry = ((ulong)blocks.BlockOf(h1) << 32) | BlockedBits.FingerprintOf(h2);
                entries[i] = entry;
                histogram[PartitionOf(entry)]++;
            }
        }

        public override long Apply(BuildBatch batch, ReadOnlySpan<ulong> entries)
        {
            long changed = 0;
            foreach (var entry in entries)
            {
                changed += blocks.AddExclusive((long)(entry >> 32), (uint)entry) ? 1 : 0;
            }

            return changed;
        }
    }

    /// <summary>Entry = bit index (bits 20 and up) and the id's place in its batch (bits 0-19), one per probe.</summary>
    private sealed class StandardPlan(BloomFilter filter, int threads)
        : BuildPlan(filter.BitCount / BloomFilterMath.BitsPerWord, sizeof(long), unitShift: ItemBits + 6, threads)
    {
        private const int ItemBits = 20;
        private const ulong ItemMask = (1UL << ItemBits) - 1;

        public override int EntriesPerItem => filter.HashCount;

        public override bool TracksItems => true;

        public override void Hash(BuildBatch batch, int from, int to, Span<int> histogram)
        {
            var keying = filter.Keying;
            var entries = batch.Entries;
            var hashCount = filter.HashCount;
            var bitCount = (ulong)filter.BitCount;
            batch.Changed.AsSpan(from, to - from).Clear();
            for (var i = from; i < to; i++)
            {
                var (h1, h2) = ItemHash.Compute(batch.Item(i), keying);
                var probe = new ProbeSequence(h1, h2, bitCount);
                for (var j = 0; j < hashCount; j++)
                {
                    var entry = (probe.Current << ItemBits) | (uint)i;
                    entries[i * hashCount + j] = entry;
                    histogram[PartitionOf(entry)]++;
                    probe.Advance();
                }
            }
        }

        public override long Apply(BuildBatch batch, ReadOnlySpan<ulong> entries)
        {
            var bits = filter.Bits;
            var changed = batch.Changed;
            foreach (var entry in entries)
            {
                if (bits.SetExclusive((long)(entry >> ItemBits)))
                {
                    changed[(int)(entry & ItemMask)] = 1;
                }
            }

            return 0;
        }

        public override long CountChanged(BuildBatch batch) => batch.Changed.AsSpan(0, batch.Count).Count((byte)1);
    }
}
