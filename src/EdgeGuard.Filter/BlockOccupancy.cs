namespace EdgeGuard.Filter;

/// <summary>
/// F_k(j): the probability that k bit positions drawn uniformly (with replacement) from a 512-bit block are all
/// set, after j items have each set k positions drawn the same way. One table per k, computed once per process
/// and extended as larger j are asked for.
/// </summary>
/// <remarks>
/// <para>Let X_t be the number of distinct bits hit by t uniform draws from B = 512 bits. A lookup's k draws
/// all land on set bits with probability (X/B)^k given X, so F_k(j) = E[(X_{kj} / B)^k]. The distribution
/// of X_t follows from X_0 = 0 and one draw at a time: a draw hits a set bit with probability x/B (X stays
/// x) and a clear one with probability (B - x)/B (X becomes x + 1). Every term is a product of probabilities,
/// so the sum loses no precision, unlike the inclusion-exclusion closed form.</para>
/// <para>The textbook shortcut (E[X]/B)^k = (1 - (1 - 1/B)^(kj))^k is a lower bound (Jensen: x^k is
/// convex) and falls short by 1 to 4 % at the loads a 1 % filter runs at; it is used only past
/// <see cref="SaturatedDraws"/> draws, where X is 512 less e^-16 * 512 on average and the two agree to
/// about 1e-8.</para>
/// </remarks>
internal sealed class BlockOccupancy
{
    /// <summary>Draws past which the shortcut replaces the exact table.</summary>
    public const int SaturatedDraws = 8192;

    private const int BlockBits = BlockedBloomFilterMath.BlockBits;

    private static readonly BlockOccupancy?[] Tables = new BlockOccupancy?[BlockedBloomFilterMath.MaxHashCount + 1];
    private static readonly Lock TablesLock = new();

    private readonly int _hashCount;
    private readonly double[] _powers = new double[BlockBits + 1]; // (x / B)^k
    private readonly double[] _distribution = new double[BlockBits + 1]; // P(X_t = x) at t = _draws
    private readonly Lock _lock = new();
    private int _draws;
    private volatile double[] _values; // F_k(0 .. _values.Length - 1)

    private BlockOccupancy(int hashCount)
    {
        _hashCount = hashCount;
        for (var x = 0; x <= BlockBits; x++)
        {
            _powers[x] = Math.Pow((double)x / BlockBits, hashCount);
        }

        _distribution[0] = 1;
        _values = [0]; // F_k(0): no item, no bit set
    }

    public static BlockOccupancy For(int hashCount)
    {
        var table = Volatile.Read(ref Tables[hashCount]);
        if (table is not null)
        {
            return table;
        }

        lock (TablesLock)
        {
            return Tables[hashCount] ??= new BlockOccupancy(hashCount);
        }
    }

    /// <summary>F_k(j), exact below <see cref="SaturatedDraws"/> draws.</summary>
    public double AllSet(long items)
    {
        if (items * _hashCount >= SaturatedDraws)
        {
            return Shortcut(items);
        }

        var values = _values;
        if (items < values.Length)
        {
            return values[items];
        }

        return Extend((int)items)[items];
    }

    /// <summary>(1 - (1 - 1/B)^(kj))^k, the textbook value (Putze, Sanders and Singler's formula per block).</summary>
    public double Shortcut(long items) =>
        Math.Pow(-double.ExpM1(items * _hashCount * Math.Log(1 - 1.0 / BlockBits)), _hashCount);

    private double[] Extend(int items)
    {
        lock (_lock)
        {
            var values = _values;
            if (items < values.Length)
            {
                return values;
            }

            var limit = (SaturatedDraws - 1) / _hashCount; // the largest j still below SaturatedDraws draws
            var length = Math.Min(limit + 1, Math.Max(items + 1, values.Length * 2));
            var extended = new double[length];
            values.CopyTo(extended, 0);
            for (var j = values.Length; j < length; j++)
            {
                for (var draw = 0; draw < _hashCount; draw++)
                {
                    Draw();
                }

                var allSet = 0.0;
                for (var x = 1; x <= Math.Min(_draws, BlockBits); x++)
                {
                    allSet += _distribution[x] * _powers[x];
                }

                extended[j] = allSet;
            }

            _values = extended;
            return extended;
        }
    }

    /// <summary>One more draw: P'(x) = P(x) x / B + P(x - 1) (B - x + 1) / B, updated in place from the top.</summary>
    private void Draw()
    {
        _draws++;
        for (var x = Math.Min(_draws, BlockBits); x >= 1; x--)
        {
            _distribution[x] = (_distribution[x] * x + _distribution[x - 1] * (BlockBits - x + 1)) / BlockBits;
        }

        _distribution[0] = 0;
    }
}
