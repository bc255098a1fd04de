using System.Text.Json;
using System.Text.Json.Serialization;

namespace EdgeGuard.Faults.Checker.History;

/// <summary>A history as JSON Lines: one <see cref="Operation"/> a line, in the order they were recorded.</summary>
public static class HistoryFile
{
    public static async Task WriteAsync(string path, IEnumerable<Operation> operations)
    {
        await using var writer = new StreamWriter(path);
        foreach (var operation in operations)
        {
            await writer.WriteLineAsync(JsonSerializer.Serialize(operation, HistoryJsonContext.Default.Operation));
        }
    }

    public static async Task<IReadOnlyList<Operation>> ReadAsync(string path)
    {
        var operations = new List<Operation>();
        var number = 0;
        foreach (var line in await File.ReadAllLinesAsync(path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            operations.Add(JsonSerializer.Deserialize(line, HistoryJsonContext.Default.Operation)
                           ?? throw new InvalidDataException($"{path}:{number}: not an operation"));
        }

        return operations;
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Operation))]
[JsonSerializable(typeof(CheckSettings))]
internal sealed partial class HistoryJsonContext : JsonSerializerContext;
