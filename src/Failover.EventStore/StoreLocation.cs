namespace Failover.EventStore;

/// <summary>Where the event store lives: <c>sqlite:PATH</c> or <c>postgres:CONNECTION STRING</c>.</summary>
public sealed record StoreLocation(StoreKind Kind, string Target)
{
    public const string SqlitePrefix = "sqlite:";
    public const string PostgresPrefix = "postgres:";

    public static bool TryParse(string? text, out StoreLocation? location, out string? error)
    {
        location = null;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "is empty; give sqlite:PATH or postgres:CONNECTION STRING";
        }
        else if (text.StartsWith(SqlitePrefix, StringComparison.Ordinal) && text.Length > SqlitePrefix.Length)
        {
            location = new StoreLocation(StoreKind.Sqlite, text[SqlitePrefix.Length..]);
        }
        else if (text.StartsWith(PostgresPrefix, StringComparison.Ordinal) && text.Length > PostgresPrefix.Length)
        {
            location = new StoreLocation(StoreKind.Postgres, text[PostgresPrefix.Length..]);
        }
        else
        {
            error = $"'{Redacted(text)}' is neither sqlite:PATH nor postgres:CONNECTION STRING";
        }

        return location is not null;
    }

    /// <summary>For messages: a PostgreSQL connection string may hold a password.</summary>
    public override string ToString() => Kind == StoreKind.Sqlite ? SqlitePrefix + Target : PostgresPrefix + Redacted(Target);

    private static string Redacted(string text) =>
        System.Text.RegularExpressions.Regex.Replace(text, "(?i)(password|pwd)\\s*=\\s*[^;]*", "$1=***");
}

public enum StoreKind
{
    Sqlite,
    Postgres,
}
