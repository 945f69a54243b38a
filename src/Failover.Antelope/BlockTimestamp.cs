using System.Globalization;

namespace Failover.Antelope;

/// <summary>Block slots: half-second steps since 2000-01-01T00:00:00Z.</summary>
public static class BlockTimestamp
{
    public const long EpochMs = 946684800000;
    public const int SlotMs = 500;

    public static uint ToSlot(DateTimeOffset time)
    {
        var ms = time.ToUnixTimeMilliseconds() - EpochMs;
        return ms < 0 || ms / SlotMs > uint.MaxValue
            ? throw new ArgumentOutOfRangeException(nameof(time), time, "Time is outside the block timestamp range.")
            : (uint)(ms / SlotMs);
    }

    public static DateTimeOffset FromSlot(uint slot) => DateTimeOffset.FromUnixTimeMilliseconds(EpochMs + ((long)slot * SlotMs));

    public static string Format(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff", CultureInfo.InvariantCulture);
}
