using System.Buffers.Binary;

namespace EdgeGuard.Proxy.Filtering.Sources.Sql;

/// <summary>Writes a row's first column into <paramref name="into"/> as one id: its bytes, or NULL.</summary>
internal delegate void CopyColumnDecoder(ReadOnlySpan<byte> value, bool isNull, IdChunk into);

/// <summary>
/// The rows of a <c>COPY ... TO STDOUT (FORMAT binary)</c> read from the raw COPY stream (PostgreSQL's "Binary Format":
/// a header, then per row a 16-bit field count and per field a 32-bit length, -1 for NULL, and its bytes; a count of -1
/// ends the data). Each row's first column is decoded in place, from the bytes in one reused buffer; the other columns
/// are skipped. Nothing is allocated per row. The stream is read synchronously, on a thread of its own
/// (<see cref="PostgresCopyIds"/>): Npgsql's raw COPY stream hands over one row per read, and its asynchronous read
/// allocates on every call.
/// </summary>
internal sealed class CopyBinaryRows(Stream stream)
{
    private const int HeaderBytes = 19; // signature, flags, header extension length
    private const int OidsFlag = 1 << 16;

    private static readonly byte[] Signature = [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0];

    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;
    private bool _headerRead;
    private bool _ended;

    /// <summary>
    /// Clears <paramref name="chunk"/> and fills it with the ids of the next rows, as many as it holds or as are left.
    /// False once no row was left: the data's end was read, and the stream after it (so the COPY is complete).
    /// </summary>
    /// <exception cref="InvalidDataException">The bytes are not the binary COPY format, or it ended inside a row.</exception>
    public bool Read(IdChunk chunk, CopyColumnDecoder decode, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        chunk.Clear();
        if (!_headerRead)
        {
            ReadHeader();
        }

        while (!chunk.IsFull && !_ended)
        {
            var needed = ParseBuffered(chunk, decode);
            if (needed > 0)
            {
                Ensure(needed);
            }
        }

        if (_ended && chunk.Count == 0)
        {
            // The stream's own end (CopyDone, then the command's completion) is read too: the connection is then free.
            if (_end > _start || stream.Read(_buffer) > 0)
            {
                throw new InvalidDataException("The binary COPY sent data after its end.");
            }
        }

        return chunk.Count > 0;
    }

    private void ReadHeader()
    {
        Ensure(HeaderBytes);
        var header = _buffer.AsSpan(_start, HeaderBytes);
        if (!header[..Signature.Length].SequenceEqual(Signature))
        {
            throw new InvalidDataException("The COPY's data does not start with the binary format's signature.");
        }

        if ((BinaryPrimitives.ReadInt32BigEndian(header[11..]) & OidsFlag) != 0)
        {
            throw new InvalidDataException("The binary COPY carries row OIDs, which this reader does not read.");
        }

        var extension = BinaryPrimitives.ReadInt32BigEndian(header[15..]);
        if (extension < 0)
        {
            throw new InvalidDataException("The binary COPY's header extension has a negative length.");
        }

        Ensure(HeaderBytes + extension);
        _start += HeaderBytes + extension;
        _headerRead = true;
    }

    /// <summary>
    /// Decodes the rows lying whole in the buffer into <paramref name="chunk"/> until it is full or the data ended (0),
    /// or returns how many bytes, from the row that is not whole yet, must be buffered to go on.
    /// </summary>
    private int ParseBuffered(IdChunk chunk, CopyColumnDecoder decode)
    {
        while (!chunk.IsFull)
        {
            var row = _buffer.AsSpan(_start, _end - _start);
            if (row.Length < 2)
            {
                return 2;
            }

            int fields = BinaryPrimitives.ReadInt16BigEndian(row);
            if (fields == -1)
            {
                _start += 2;
                _ended = true;
                return 0;
            }

            if (fields < 1)
            {
                throw new InvalidDataException($"A binary COPY row has {fields} fields.");
            }

            var at = 2;
            int valueAt = 0, valueLength = -1;
            for (var field = 0; field < fields; field++)
            {
                if (row.Length < at + 4)
                {
                    return at + 4;
                }

                var length = BinaryPrimitives.ReadInt32BigEndian(row[at..]);
                at += 4;
                if (length < -1)
                {
                    throw new InvalidDataException($"A binary COPY field has the length {length}.");
                }

                if (field == 0)
                {
                    (valueAt, valueLength) = (at, length);
                }

                if (length > 0)
                {
                    if (row.Length - at < length)
                    {
                        return checked(at + length);
                    }

                    at += length;
                }
            }

            decode(valueLength < 0 ? default : row.Slice(valueAt, valueLength), valueLength < 0, chunk);
            _start += at;
        }

        return 0;
    }

    /// <summary>Reads until <paramref name="count"/> bytes from the current row on are buffered (growing the buffer for a larger row).</summary>
    private void Ensure(int count)
    {
        if (count > _buffer.Length)
        {
            var larger = new byte[Math.Max(count, _buffer.Length * 2)];
            _buffer.AsSpan(_start, _end - _start).CopyTo(larger);
            (_buffer, _end, _start) = (larger, _end - _start, 0);
        }
        else if (_start + count > _buffer.Length)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            (_end, _start) = (_end - _start, 0);
        }

        while (_end - _start < count)
        {
            var read = stream.Read(_buffer.AsSpan(_end));
            if (read == 0)
            {
                throw new InvalidDataException("The binary COPY ended inside a row, before its end.");
            }

            _end += read;
        }
    }
}
