using System.Text;

namespace EdgeGuard.Testing;

/// <summary>What a process wrote: stdout, stderr, and both interleaved in arrival order.</summary>
internal sealed class ProcessOutput
{
    private readonly StringBuilder _all = new();
    private readonly StringBuilder _out = new();
    private readonly StringBuilder _error = new();

    public string All => Read(_all);

    public string Out => Read(_out);

    public string Error => Read(_error);

    public void Append(string? line, bool error)
    {
        if (line is null)
        {
            return;
        }

        lock (_all)
        {
            _all.AppendLine(line);
            (error ? _error : _out).AppendLine(line);
        }
    }

    private string Read(StringBuilder builder)
    {
        lock (_all)
        {
            return builder.ToString();
        }
    }
}
