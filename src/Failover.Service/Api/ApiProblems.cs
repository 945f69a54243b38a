using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Failover.Service.Api;

/// <summary>RFC 7807 problem details for the API, each naming what is wrong and, for a bad parameter, which one.</summary>
public static class ApiProblems
{
    public static ProblemHttpResult BadParameter(string parameter, string detail) => TypedResults.Problem(new ProblemDetails
    {
        Status = StatusCodes.Status400BadRequest,
        Title = "Invalid parameter",
        Detail = detail,
        Type = "https://failover.example/problems/invalid-parameter",
        Extensions = { ["parameter"] = parameter },
    });

    public static ProblemHttpResult NotFound(string detail) => TypedResults.Problem(new ProblemDetails
    {
        Status = StatusCodes.Status404NotFound,
        Title = "Not found",
        Detail = detail,
        Type = "https://failover.example/problems/not-found",
    });

    public static ProblemHttpResult Busy(string detail) => TypedResults.Problem(new ProblemDetails
    {
        Status = StatusCodes.Status503ServiceUnavailable,
        Title = "Too many clients",
        Detail = detail,
        Type = "https://failover.example/problems/too-many-clients",
    });

    /// <summary>Parses an optional whole-number parameter within bounds; null text gives the default.</summary>
    public static bool TryParse(string? text, string parameter, long min, long max, long fallback, out long value, out ProblemHttpResult? problem)
    {
        problem = null;
        value = fallback;
        if (text is null)
        {
            return true;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max)
        {
            return true;
        }

        problem = BadParameter(parameter, $"{parameter} must be a whole number from {min} to {max}, got '{text}'.");
        return false;
    }
}
