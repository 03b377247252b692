using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Unicode;
using StreamList.Memory;

namespace StreamList.Json;

/// <summary>
/// Reads JSON strings (values and dictionary keys) through a <see cref="Utf8StringPool"/>, so the
/// JSON path shares repeated strings as the protobuf path does. Only unescaped values held in one
/// span and valid as UTF-8 go through the pool; anything else is read as System.Text.Json reads it,
/// so the strings, and the errors, are the same as without the pool. Writing is unchanged.
/// </summary>
internal sealed class InterningStringConverter(Utf8StringPool pool) : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String ? Intern(ref reader) : reader.GetString();

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

    public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Intern(ref reader);

    public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WritePropertyName(value);

    // Strings longer than the pool keeps are read as usual, without validating them twice.
    private string Intern(ref Utf8JsonReader reader) =>
        reader.ValueIsEscaped || reader.HasValueSequence || reader.ValueSpan.Length > pool.MaxLength || !Utf8.IsValid(reader.ValueSpan)
            ? reader.GetString()!
            : pool.Get(reader.ValueSpan);
}
