using System.Text.Json;
using System.Text.Json.Serialization;

namespace EdgeGuard.Proxy.Caching;

/// <summary>
/// Writes a <see cref="CacheEntry"/> as the bytes Redis holds (inside FusionCache's distributed entry):
/// <c>{"v":1,"k":kind,"s":status,"h":[name,value,...],"b":base64 body,"f":fetched ms,"u":fresh-until ms,"p":position,"a":initial age ms}</c>
/// (<c>"a"</c> only when not zero: a gateway that does not know it skips it, and product entries never have one).
/// An entry of another version reads as a deserialization error, which FusionCache treats as a miss: a new
/// gateway never misreads an old one's entries, nor the other way round.
/// </summary>
public sealed class CacheEntryFormatter : JsonConverter<CacheEntry>
{
    private const int Version = 1;

    /// <summary>The serializer options the distributed cache uses: this formatter, nothing reflected on the entry.</summary>
    public static JsonSerializerOptions SerializerOptions { get; } = new(JsonSerializerDefaults.General) { Converters = { new CacheEntryFormatter() } };

    public override CacheEntry Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("A cache entry is a JSON object.");
        }

        int? version = null, kind = null, status = null;
        List<KeyValuePair<string, string>> headers = [];
        byte[] body = [];
        long fetched = 0, freshUntil = 0, position = 0, initialAge = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "v": version = reader.GetInt32(); break;
                case "k": kind = reader.GetInt32(); break;
                case "s": status = reader.GetInt32(); break;
                case "b": body = reader.GetBytesFromBase64(); break;
                case "f": fetched = reader.GetInt64(); break;
                case "u": freshUntil = reader.GetInt64(); break;
                case "p": position = reader.GetInt64(); break;
                case "a": initialAge = reader.GetInt64(); break;
                case "h": headers = ReadHeaders(ref reader); break;
                default: reader.Skip(); break;
            }
        }

        if (version != Version || kind is not (>= 1 and <= 4) || status is null)
        {
            throw new JsonException($"Not a version {Version} cache entry.");
        }

        return new CacheEntry((CacheEntryKind)kind, status.Value, headers, body,
            DateTimeOffset.FromUnixTimeMilliseconds(fetched), DateTimeOffset.FromUnixTimeMilliseconds(freshUntil), position,
            TimeSpan.FromMilliseconds(initialAge));
    }

    public override void Write(Utf8JsonWriter writer, CacheEntry value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteNumber("v", Version);
        writer.WriteNumber("k", (int)value.Kind);
        writer.WriteNumber("s", value.StatusCode);
        writer.WriteStartArray("h");
        foreach (var (name, headerValue) in value.Headers)
        {
            writer.WriteStringValue(name);
            writer.WriteStringValue(headerValue);
        }

        writer.WriteEndArray();
        writer.WriteBase64String("b", value.Body.Span);
        writer.WriteNumber("f", value.FetchedAt.ToUnixTimeMilliseconds());
        writer.WriteNumber("u", value.FreshUntil.ToUnixTimeMilliseconds());
        writer.WriteNumber("p", value.Position);
        if (value.InitialAge > TimeSpan.Zero)
        {
            writer.WriteNumber("a", (long)value.InitialAge.TotalMilliseconds);
        }

        writer.WriteEndObject();
    }

    private static List<KeyValuePair<string, string>> ReadHeaders(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("Headers are an array of names and values.");
        }

        var headers = new List<KeyValuePair<string, string>>();
        while (reader.Read() && reader.TokenType == JsonTokenType.String)
        {
            var name = reader.GetString()!;
            if (!reader.Read() || reader.TokenType != JsonTokenType.String)
            {
                throw new JsonException("A header name without a value.");
            }

            headers.Add(new(name, reader.GetString()!));
        }

        return headers;
    }
}
