using System.Buffers.Binary;
using EdgeGuard.Proxy.Filtering.Sources.Sql;

namespace EdgeGuard.Proxy.Tests.Sql;

/// <summary>
/// PostgreSQL's binary COPY format read row by row from bytes as the spec lays them out: the first column of each row
/// decoded, the others skipped, whatever the bytes' cut into reads; a malformed or cut stream fails.
/// </summary>
public sealed class CopyBinaryRowsTests
{
    private static readonly CopyColumnDecoder AsText = (value, isNull, into) => into.Add(isNull ? "<null>" : Encoding.UTF8.GetString(value));

    /// <summary>Every row, whether the stream hands over one byte a read, a few, or everything at once.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(1 << 20)]
    public async Task First_columns_come_out_in_order_however_the_bytes_arrive(int bytesPerRead)
    {
        var large = new byte[200_000]; // a skipped column larger than the reader's 64 KB buffer
        var rows = new List<byte[]?[]>
        {
            new[] { Text("SKU-1") },
            new[] { null, Text("second column") },
            new[] { Text("É-3"), large, Text("x") },
            new[] { Text("") },
        };
        rows.AddRange(Enumerable.Range(5, 10).Select(i => new[] { Text($"SKU-{i}"), BitConverter.GetBytes(i) }));

        var ids = await ReadAllAsync(new TrickleStream(Copy(rows, extension: [1, 2, 3]), bytesPerRead), chunkCapacity: 3);

        Assert.Equal(["SKU-1", "<null>", "É-3", "", .. Enumerable.Range(5, 10).Select(i => $"SKU-{i}")], ids);
    }

    [Fact]
    public async Task A_COPY_without_rows_reads_as_no_ids()
    {
        Assert.Empty(await ReadAllAsync(new MemoryStream(Copy([])), chunkCapacity: 4));
    }

    [Fact]
    public async Task A_stream_cut_inside_a_row_fails()
    {
        var bytes = Copy([[Text("SKU-1")], [Text("SKU-2")]]);
        var cut = bytes[..^5]; // the trailer and the end of the last id

        var failure = await Assert.ThrowsAsync<InvalidDataException>(() => ReadAllAsync(new MemoryStream(cut), chunkCapacity: 4));
        Assert.Contains("ended inside a row", failure.Message);
    }

    [Fact]
    public async Task Bytes_without_the_signature_fail()
    {
        var bytes = Copy([[Text("SKU-1")]]);
        bytes[0] = (byte)'X';

        var failure = await Assert.ThrowsAsync<InvalidDataException>(() => ReadAllAsync(new MemoryStream(bytes), chunkCapacity: 4));
        Assert.Contains("signature", failure.Message);
    }

    [Fact]
    public async Task Data_after_the_end_fails()
    {
        var failure = await Assert.ThrowsAsync<InvalidDataException>(() => ReadAllAsync(new MemoryStream([.. Copy([[Text("SKU-1")]]), 0]), chunkCapacity: 4));
        Assert.Contains("after its end", failure.Message);
    }

    private static byte[] Text(string value) => Encoding.UTF8.GetBytes(value);

    /// <summary>A binary COPY's bytes: the signature, flags, a header extension, the rows (null: a NULL field), the trailer.</summary>
    private static byte[] Copy(IEnumerable<byte[]?[]> rows, byte[]? extension = null)
    {
        var bytes = new List<byte>("PGCOPY\n"u8.ToArray()) { 0xFF, (byte)'\r', (byte)'\n', 0 };
        bytes.AddRange(BigEndian(0));
        bytes.AddRange(BigEndian(extension?.Length ?? 0));
        bytes.AddRange(extension ?? []);
        foreach (var row in rows)
        {
            bytes.AddRange(BigEndian((short)row.Length));
            foreach (var field in row)
            {
                bytes.AddRange(BigEndian(field?.Length ?? -1));
                bytes.AddRange(field ?? []);
            }
        }

        bytes.AddRange(BigEndian((short)-1));
        return [.. bytes];
    }

    private static byte[] BigEndian(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] BigEndian(short value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteInt16BigEndian(bytes, value);
        return bytes;
    }

    private static Task<List<string>> ReadAllAsync(Stream stream, int chunkCapacity) => Task.Run(() => ReadAll(stream, chunkCapacity));

    private static List<string> ReadAll(Stream stream, int chunkCapacity)
    {
        var rows = new CopyBinaryRows(stream);
        var chunk = new IdChunk(chunkCapacity);
        var ids = new List<string>();
        while (rows.Read(chunk, AsText, CancellationToken.None))
        {
            Assert.InRange(chunk.Count, 1, chunkCapacity);
            ids.AddRange(Enumerable.Range(0, chunk.Count).Select(i => chunk[i].ToString()));
        }

        return ids;
    }

    /// <summary>A stream that hands over at most <paramref name="bytesPerRead"/> bytes a read.</summary>
    private sealed class TrickleStream(byte[] bytes, int bytesPerRead) : MemoryStream(bytes)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, bytesPerRead));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, bytesPerRead)]);

    }
}
