namespace Failover.Antelope.Serialization;

/// <summary>Malformed binary data: names the byte offset and what was expected there.</summary>
public sealed class AbiDecodeException : FormatException
{
    public AbiDecodeException()
    {
    }

    public AbiDecodeException(string message)
        : base(message)
    {
    }

    public AbiDecodeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public AbiDecodeException(int offset, string message)
        : base($"At byte {offset}: {message}") => Offset = offset;

    public int Offset { get; }
}
